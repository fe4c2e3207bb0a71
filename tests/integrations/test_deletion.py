"""Whoever may delete an integration or a channel deletes it with what it brought in, after a page of counts."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.models import UserObjectPermission

from channels.deletion import channel_delete_execute
from channels.models import Channel, Customer, CustomerAddress, Order, OrderItem, Website
from integrations import permissions
from integrations.models import Checkpoint, Integration, QuarantinedRecord, SyncRun, SyncRunEntity
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def synced(name: str, orders: int = 3) -> Integration:
    """An integration that has synced: a website, a customer with an address, orders with items, a run."""
    integration = magento_integration(name, channel_name=f"{name} channel")
    Website.objects.create(integration=integration, remote_id="1", code="base", name="Main")
    customer = Customer.objects.create(integration=integration, remote_id="1", email="alice@example.test")
    CustomerAddress.objects.create(customer=customer, remote_id="1", street="1 Rabbit Hole")
    created = Order.objects.bulk_create(
        Order(
            integration=integration,
            remote_id=str(n),
            increment_id=f"{integration.pk}{n:08d}",
            customer=customer,
            remote_created_at=WHEN,
        )
        for n in range(orders)
    )
    OrderItem.objects.bulk_create(
        OrderItem(order=order, remote_id="1", sku="TEA", qty=Decimal(1)) for order in created[:3]
    )
    run = SyncRun.objects.create(integration=integration, status=SyncRun.Status.SUCCEEDED)
    SyncRunEntity.objects.create(run=run, entity="orders", read=orders)
    Checkpoint.objects.create(integration=integration, entity="orders", state={"after_id": "2"})
    QuarantinedRecord.objects.create(integration=integration, run=run, entity="orders", remote_id="9", reason="x")
    return integration


def delete_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])


def test_a_superuser_deletes_an_integration_that_has_synced_records(admin_client):
    shop, other = synced("Shop"), synced("Other")

    page = admin_client.get(delete_url(shop))

    assert page.status_code == 200
    text = page.content.decode()
    assert "permission to delete" not in text
    summary = dict(page.context["model_count"])
    assert summary["Orders"] == 3 and summary["Order items"] == 3 and summary["Customers"] == 1
    assert summary["Sync runs"] == 1 and summary["Integrations"] == 1 and summary["Websites"] == 1
    assert summary["Magento 1 settings"] == 1
    assert f"{shop.pk}00000001" not in text  # counts, not one line per record

    assert admin_client.post(delete_url(shop), {"post": "yes"}).status_code == 302
    assert not Integration.objects.filter(pk=shop.pk).exists()
    assert not Order.objects.filter(integration_id=shop.pk).exists()
    assert not OrderItem.objects.filter(order__integration_id=shop.pk).exists()
    assert Channel.objects.filter(name="Shop channel").exists()  # the channel stays
    assert Order.objects.filter(integration=other).count() == 3  # nothing of another integration


def test_the_confirmation_page_does_not_grow_with_the_records(admin_client, django_assert_max_num_queries):
    shop = synced("Shop", orders=2000)
    with django_assert_max_num_queries(40):
        page = admin_client.get(delete_url(shop))
    assert dict(page.context["model_count"])["Orders"] == 2000
    assert len(page.content) < 60_000


def test_a_superuser_deletes_a_channel_with_its_integration_and_records(admin_client, rq):
    shop = synced("Shop")

    page = admin_client.get(delete_url(shop.channel))

    assert page.status_code == 200
    summary = dict(page.context["model_count"])
    assert summary["Channels"] == 1 and summary["Integrations"] == 1 and summary["Orders"] == 3
    assert admin_client.post(delete_url(shop.channel), {"post": "yes"}).status_code == 302
    channel_delete_execute(channel_id=shop.channel_id)  # the queued job's work (channels/deletion.py)
    assert not Channel.objects.filter(pk=shop.channel_id).exists()
    assert not Integration.objects.filter(pk=shop.pk).exists() and not Order.objects.exists()


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("ann", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_channel"))
    client.force_login(user)
    return user


def test_a_staff_user_with_the_delete_grant_deletes_that_integration_only(client, staff):
    mine, theirs = synced("Mine"), synced("Theirs")
    permissions.grant(staff, mine)  # view, change, delete
    permissions.grant(staff, theirs, actions=("view", "change"))

    assert client.get(delete_url(mine)).status_code == 200
    assert client.post(delete_url(theirs), {"post": "yes"}).status_code == 403
    assert client.post(delete_url(theirs.channel), {"post": "yes"}).status_code == 403
    assert client.post(delete_url(mine), {"post": "yes"}).status_code == 302

    assert not Integration.objects.filter(pk=mine.pk).exists()
    assert Integration.objects.filter(pk=theirs.pk).exists() and Order.objects.filter(integration=theirs).count() == 3
    # The grants on the deleted integration go with it.
    assert not UserObjectPermission.objects.filter(object_pk=str(mine.pk), content_type__model="integration")


def test_a_staff_user_with_the_delete_grant_deletes_its_channel(client, staff, rq):
    mine = synced("Mine")
    permissions.grant(staff, mine)
    assert client.post(delete_url(mine.channel), {"post": "yes"}).status_code == 302
    channel_delete_execute(channel_id=mine.channel_id)
    assert not Channel.objects.filter(pk=mine.channel_id).exists() and not Order.objects.exists()


def test_bulk_delete_refuses_what_the_user_may_not_delete(client, staff):
    mine, theirs = synced("Mine"), synced("Theirs")
    permissions.grant(staff, mine)
    permissions.grant(staff, theirs, actions=("view",))

    response = client.post(
        reverse("admin:integrations_integration_changelist"),
        {"action": "delete_selected", "_selected_action": [mine.pk, theirs.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert Integration.objects.count() == 2


def test_counting_reads_once_per_model_however_many_rows(admin_client):
    from integrations.admin.deletion import cascade_counts

    def count(integration):
        with CaptureQueriesContext(connection) as queries:
            deleted, protected = cascade_counts(Integration.objects.filter(pk=integration.pk))
        return deleted, protected, len(queries)

    small, big = synced("Small", orders=5), synced("Big", orders=200)
    deleted, protected, small_queries = count(small)
    assert deleted[Order] == 5 and deleted[OrderItem] == 3 and deleted[CustomerAddress] == 1 and protected == {}
    deleted, _, big_queries = count(big)
    assert deleted[Order] == 200 and big_queries == small_queries
