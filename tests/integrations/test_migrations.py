"""The move of Magento settings off Integration, and ids to strings, keeps every value."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations import crypto

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("integrations", "0003_trigger_labels"), ("channels", "0004_search_indexes"), ("magento1", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def test_settings_move_to_their_own_table_and_ids_become_strings():
    old = migrate(BEFORE)
    try:
        Channel = old.get_model("channels", "Channel")
        Integration = old.get_model("integrations", "Integration")
        Order = old.get_model("channels", "Order")
        Checkpoint = old.get_model("integrations", "Checkpoint")
        channel = Channel.objects.create(name="Old shop", channel_type="magento1")
        integration = Integration.objects.create(
            channel=channel,
            name="Old shop",
            integration_type="magento1",
            api_url="https://shop.example.com/api/v2_soap/?wsdl=1",
            api_user="soap",
            api_key="s3cret-key-value",
            website_id=2,
            sync_start_date=datetime.date(2011, 5, 6),
            shared_guest_emails="family@example.com",
            websites=[{"id": 2, "label": "Website ID: 2, Stores: FR"}],
            detected_mode="bridge",
            sync_interval_minutes=15,
        )
        Order.objects.create(integration=integration, remote_id=0, increment_id="100000000", customer_remote_id=7)
        Checkpoint.objects.create(
            integration=integration, entity="orders", state={"since": "2024-01-01 00:00:00", "after_id": 9}
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT api_key FROM integrations_integration WHERE id = %s", [integration.pk])
            (ciphertext,) = cursor.fetchone()
        assert "s3cret" not in ciphertext
    finally:  # every app back to its newest migration, for the tests after this one
        new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    from integrations.connectors.magento1.models import Magento1Settings
    from integrations.models import Integration as Current

    moved = Magento1Settings.objects.get(integration_id=integration.pk)
    assert moved.api_key == "s3cret-key-value"
    assert (moved.api_url, moved.api_user, moved.website_id) == (
        "https://shop.example.com/api/v2_soap/?wsdl=1",
        "soap",
        2,
    )
    assert moved.sync_start_date == datetime.date(2011, 5, 6)
    assert moved.shared_guest_emails == "family@example.com"
    assert moved.websites == [{"id": 2, "label": "Website ID: 2, Stores: FR"}]
    assert moved.detected_mode == "bridge"
    assert Current.objects.get(pk=integration.pk).sync_interval_minutes == 15
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM magento1_magento1settings WHERE integration_id = %s", [integration.pk])
        (stored,) = cursor.fetchone()
    assert crypto.decrypt(stored) == "s3cret-key-value" and "s3cret" not in stored
    order = new.get_model("channels", "Order").objects.get(integration_id=integration.pk)
    assert (order.remote_id, order.customer_remote_id) == ("0", "7")  # 0 is an id like any other


def test_quarantined_records_already_held_are_named_by_their_business_key():
    leaves = [leaf for leaf in MigrationExecutor(connection).loader.graph.leaf_nodes() if leaf[0] != "integrations"]
    old = migrate([("integrations", "0009_connection_check_draft"), *leaves])
    try:
        Channel = old.get_model("channels", "Channel")
        Integration = old.get_model("integrations", "Integration")
        Quarantined = old.get_model("integrations", "QuarantinedRecord")
        channel = Channel.objects.create(name="Held shop", channel_type="magento1")
        integration = Integration.objects.create(channel=channel, name="Held shop", integration_type="magento1")
        held = {
            "order": {"order_id": "5", "increment_id": "100000005"},
            "customer": {"customer_id": "9", "email": "ann@example.com"},
            "bundle": {"order": {"id": "12", "attributes": {"identifier": "SO-12"}}},
            "bare": {"id": "77"},
        }
        ids = {
            name: Quarantined.objects.create(
                integration=integration, entity="orders", remote_id="77", reason="x", payload=payload
            ).pk
            for name, payload in held.items()
        }
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    from integrations.models import QuarantinedRecord

    labels = {name: QuarantinedRecord.objects.get(pk=pk).label for name, pk in ids.items()}
    assert labels == {"order": "100000005", "customer": "ann@example.com", "bundle": "SO-12", "bare": "77"}
