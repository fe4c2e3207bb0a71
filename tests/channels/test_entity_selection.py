"""A channel syncs the optional entities it selects (OroCRM's channel entities); an empty selection is all."""

import pytest

from channels.models import Customer
from integrations import services
from integrations.engine import importer, registry
from integrations.models import SyncRun
from tests.factories import magento_integration
from tests.fakeconnector.connector import FakeConnector
from tests.fakeconnector.remote import FakeRemote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def remote(tmp_path) -> FakeRemote:
    remote = FakeRemote(tmp_path / "remote.json")
    remote.put_customer("c-1", "2024-03-05T10:00:00+02:00", email="ann@example.test", firstName="Ann")
    return remote


@pytest.fixture
def fake(remote):
    return services.integration_create(
        name="Fake shop", integration_type="fake", settings_values={"remote_path": str(remote.path), "page_size": 3}
    )


@pytest.fixture
def customers_optional(monkeypatch):
    monkeypatch.setattr(FakeConnector, "optional_entities", [("customers", "Customers"), ("products", "Products")])


def run_import(integration) -> SyncRun:
    run = SyncRun.objects.create(integration=integration)
    return importer.execute_import(run.pk)


def test_magento_offers_the_entities_oro_channels_offer():
    offered = [name for name, _label in registry.connector_class("magento1").optional_entities]
    assert offered == ["customers", "carts", "orders", "credit_memos", "newsletter_subscribers"]


def test_selected_streams_leave_out_only_unselected_optional_streams(fake, customers_optional):
    connector = registry.connector_for(fake)
    assert [s.name for s in connector.selected_streams()] == ["customers"]  # empty selection: all

    fake.channel.entities = ["products"]
    fake.channel.save()
    fake.refresh_from_db()
    assert registry.connector_for(fake).selected_streams() == []


def test_a_stream_that_is_not_optional_always_runs(fake):
    fake.channel.entities = ["products"]  # the fake type names no optional entity: customers always run
    fake.channel.save()
    fake.refresh_from_db()
    assert [s.name for s in registry.connector_for(fake).selected_streams()] == ["customers"]


def test_the_importer_reads_only_the_selected_streams(fake, customers_optional):
    fake.channel.entities = ["products"]
    fake.channel.save()
    fake.refresh_from_db()

    left_out = run_import(fake)

    assert left_out.status == SyncRun.Status.SUCCEEDED
    assert not left_out.entities.exists() and not Customer.objects.exists()

    fake.channel.entities = ["customers"]
    fake.channel.save()
    fake.refresh_from_db()
    chosen = run_import(fake)
    assert [e.entity for e in chosen.entities.all()] == ["customers"]
    assert Customer.objects.filter(integration=fake).count() == 1


def test_the_channel_page_offers_the_types_entities_as_checkboxes(admin_client):
    integration = magento_integration("Ann's store", channel_name="Ann's shop")
    page_url = f"/admin/channels/channel/{integration.channel_id}/change/"

    page = admin_client.get(page_url).content.decode()
    for label in ("Customers", "Shopping carts", "Orders", "Credit memos", "Newsletter subscribers"):
        assert label in page
    assert page.count('type="checkbox" name="entities"') == 5
    assert page.count("checked") >= 5  # an empty selection shows every entity ticked

    every = ["customers", "carts", "orders", "credit_memos", "newsletter_subscribers"]
    form = {"name": "Ann's shop", "is_active": "on", "owner": ""}
    assert admin_client.post(page_url, {**form, "entities": every}).status_code == 302
    integration.channel.refresh_from_db()
    assert integration.channel.entities == []  # all of them: stored as "everything the type offers"

    none = admin_client.post(page_url, form)
    assert none.status_code == 200 and "Choose at least one entity to sync." in none.content.decode()
