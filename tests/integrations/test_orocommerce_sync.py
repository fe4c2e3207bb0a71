"""An OroCommerce store synced end to end: the simulator over HTTP, real Redis, real RQ worker processes.

Every page is read (more than 100 orders), ties on updatedAt across a page boundary, an order changed
during the sync, a second run reading only the overlap, the currency filter, unknown SKUs kept and
reported, WSSE never replayed, an OAuth token renewed, and Check Connection's words and choices.
"""

from __future__ import annotations

import pytest

from channels.models import Channel, Customer, Order, OrderItem, Product
from integrations.connectors.orocommerce.models import OroCommerceSettings, PaymentTerm
from integrations.engine.values import parse_timestamp
from integrations.models import QuarantinedRecord, SyncRun
from integrations.selectors import integration_records
from integrations.services import integration_check_connection, integration_create, sync_schedule
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def oro_integration(sim, name: str = "Oro store", **values):
    settings = {"admin_url": sim.admin_url, "auth_method": "wsse", "api_user": sim.api_user, "api_key": sim.api_key}
    if values.pop("oauth", False):
        settings = {
            "admin_url": sim.admin_url,
            "auth_method": "oauth2",
            "client_id": sim.oauth_client_id,
            "client_secret": sim.oauth_client_secret,
        }
    return integration_create(name=name, integration_type="orocommerce", settings_values={**settings, **values})


def sync(integration, run_worker, full: bool = False) -> SyncRun:
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI, full=full)
    run_worker()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED, f"{run.message}\n{run.log}"
    return run


def entity(run: SyncRun, name: str):
    return run.entities.get(entity=name)


def store_orders(sim) -> dict[str, dict]:
    return {r["id"]: r for r in sim.control.records("orders")}


def local_catalog(sim) -> None:
    """The store's products in oroint's catalog, as a back office that owns the catalog has them."""
    for product in sim.control.records("products"):
        Product.objects.get_or_create(sku=product["attributes"]["sku"], defaults={"name": product["attributes"]["sku"]})


def assert_no_nonce_refused(sim) -> None:
    wsse = sim.control.stats()["wsse"]
    assert (wsse["refused"], wsse["replays"]) == (0, 0), wsse


def test_a_sync_reads_every_page_and_a_rerun_reads_only_the_overlap(orocommerce, run_worker):
    sim = orocommerce(orders=260, customers=30)
    integration = oro_integration(sim)
    local_catalog(sim)
    check = integration_check_connection(integration=integration)
    assert check.ok, check.message
    assert check.message.startswith("Connection is valid")

    first = sync(integration, run_worker)
    orders = store_orders(sim)
    assert Order.objects.filter(integration=integration).count() == len(orders) == 260
    assert entity(first, "orders").created == 260
    counts = sim.control.stats()["counts"]
    assert Customer.objects.filter(integration=integration).count() == counts["customers"]
    assert PaymentTerm.objects.filter(integration=integration).count() == counts["paymentterms"]
    assert not QuarantinedRecord.objects.exists()

    synced = Order.objects.filter(integration=integration)
    assert not synced.filter(items__isnull=True).exists(), "every order has its lines"
    assert not synced.filter(customer_remote_id__isnull=False, customer__isnull=True).exists()
    assert all(o.customer.remote_id == o.customer_remote_id for o in synced.exclude(customer=None))
    assert synced.exclude(tax_amount=None).exists() and synced.exclude(payment_status="").exists()
    one = synced.get(remote_id=next(iter(orders)))
    attrs = orders[one.remote_id]["attributes"]
    assert one.increment_id == (attrs["identifier"] or one.remote_id)
    assert (str(one.grand_total), one.currency) == (attrs["totalValue"], attrs["currency"])
    assert OrderItem.objects.filter(order__integration=integration, unknown_sku=False, product__isnull=False).exists()

    second = sync(integration, run_worker)
    for name in ("customers", "orders"):
        stats = entity(second, name)
        assert (stats.created, stats.updated) == (0, 0), f"{name}: {stats.as_stats()}"
    assert entity(second, "orders").read < 260, "an incremental run reads only the overlap"
    assert_no_nonce_refused(sim)
    assert sim.api_key not in first.log + second.log


def test_ties_on_updated_at_across_pages_are_all_read(orocommerce, run_worker):
    sim = orocommerce(orders=230, customers=10)
    integration = oro_integration(sim)
    sync(integration, run_worker)
    touched = sim.control.touch("orders", count=150)  # 150 orders with one same updatedAt: two pages of ties
    run = sync(integration, run_worker)
    assert entity(run, "orders").updated == 150
    orders = store_orders(sim)
    written = Order.objects.filter(integration=integration, remote_id__in=[str(t) for t in touched])
    assert written.count() == 150
    for order in written:
        assert order.remote_updated_at == parse_timestamp(orders[order.remote_id]["attributes"]["updatedAt"])
    assert_no_nonce_refused(sim)


def test_an_order_changed_during_the_sync_is_in_after_the_run(orocommerce, live_worker):
    sim = orocommerce(orders=320, customers=10)
    integration = oro_integration(sim)
    sim.control.faults(latency_ms=150)  # slow enough to touch between pages
    run = sync_schedule(integration=integration, trigger=SyncRun.Trigger.CLI)

    def first_page_written():
        row = run.entities.filter(entity="orders").first()
        return row is not None and row.read >= 100

    wait_for(first_page_written, timeout=120, message="the first page of orders to be written")
    oldest = Order.objects.filter(integration=integration).order_by("remote_updated_at", "pk").first()
    (touched,) = sim.control.touch("orders", ids=[int(oldest.remote_id)])
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.SUCCEEDED, timeout=180, message="run")
    oldest.refresh_from_db()
    changed = store_orders(sim)[str(touched)]["attributes"]["updatedAt"]
    assert oldest.remote_updated_at == parse_timestamp(changed), "the change made during the run is in"
    assert Order.objects.filter(integration=integration).count() == 320
    # Read twice in this very run (first in its old place, then at its new time), not left to the next run.
    orders = entity(SyncRun.objects.get(pk=run.pk), "orders")
    assert (orders.read, orders.created, orders.updated) == (321, 320, 1)


def test_no_currency_reads_every_currency_a_currency_only_its_orders(orocommerce, run_worker):
    sim = orocommerce(orders=120, customers=12)
    every = oro_integration(sim, name="All currencies")
    euro = oro_integration(sim, name="Euro only", currency="EUR")
    sync(every, run_worker)
    sync(euro, run_worker)
    by_currency = {o["attributes"]["currency"] for o in store_orders(sim).values()}
    assert len(by_currency) > 1
    assert set(Order.objects.filter(integration=every).values_list("currency", flat=True)) == by_currency
    euros = [i for i, o in store_orders(sim).items() if o["attributes"]["currency"] == "EUR"]
    assert sorted(Order.objects.filter(integration=euro).values_list("remote_id", flat=True)) == sorted(euros)


def test_the_sync_start_date_leaves_out_what_changed_before_it(orocommerce, run_worker):
    import datetime

    sim = orocommerce(orders=150, customers=12)
    stamps = sorted(parse_timestamp(o["attributes"]["updatedAt"]) for o in store_orders(sim).values())
    day = stamps[len(stamps) // 2].date()
    since = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    integration = oro_integration(sim, sync_start_date=day)
    first = sync(integration, run_worker)
    wanted = sorted(i for i, o in store_orders(sim).items() if parse_timestamp(o["attributes"]["updatedAt"]) >= since)
    assert 0 < len(wanted) < 150
    assert sorted(Order.objects.filter(integration=integration).values_list("remote_id", flat=True)) == wanted
    assert entity(first, "orders").read == len(wanted)

    # Moved earlier, it applies to what is read from then on: a full re-sync reads from the new date.
    OroCommerceSettings.objects.filter(integration=integration).update(sync_start_date=stamps[0].date())
    sync(integration, run_worker, full=True)
    assert Order.objects.filter(integration=integration).count() == 150


def test_a_line_whose_sku_is_not_in_the_catalog_is_kept_and_reported(orocommerce, run_worker):
    sim = orocommerce(orders=200, customers=10)
    integration = oro_integration(sim)
    local_catalog(sim)
    run = sync(integration, run_worker)
    unknown = OrderItem.objects.filter(order__integration=integration, unknown_sku=True)
    assert unknown.exists(), "the seeded store has lines of products that are gone"
    assert all(item.product_id is None and item.sku.startswith("GONE-") for item in unknown)
    lines = sum(len(o["relationships"]["lineItems"]["data"]) for o in store_orders(sim).values())
    assert OrderItem.objects.filter(order__integration=integration).count() == lines, "no line is dropped"
    item = unknown.select_related("order").first()
    assert f"order {item.order.increment_id}: SKU" in run.log and "not in the catalog; the lines are kept" in run.log
    orders_with = unknown.values("order").distinct().count()
    assert entity(run, "orders").message.startswith(
        f"{orders_with} order(s) have lines whose SKU is not in the catalog"
    )


def test_a_bad_key_fails_the_check_with_the_stores_words(orocommerce):
    sim = orocommerce(orders=5, customers=2)
    integration = oro_integration(sim, api_key="not-the-key")
    check = integration_check_connection(integration=integration)
    assert not check.ok
    assert "HTTP 401" in check.message and "authentication exception" in check.message
    assert "API key is wrong" in check.message
    assert "not-the-key" not in check.message


def test_check_connection_fills_the_choices(orocommerce):
    sim = orocommerce(orders=5, customers=2)
    integration = oro_integration(sim)
    check = integration_check_connection(integration=integration)
    assert check.ok, check.message
    found = OroCommerceSettings.objects.get(pk=integration.pk)
    for kind in ("business_units", "product_units", "customer_tax_codes", "price_lists", "product_families"):
        assert found.found_choices[kind], kind
    assert found.has_warehouses is not None and found.checked_at is not None
    unit_ids = {u["id"] for u in found.found_choices["product_units"]}
    assert "item" in unit_ids
    assert found.choices_for("price_list")


def test_an_expired_oauth_token_is_renewed_during_a_sync(orocommerce, run_worker):
    sim = orocommerce(orders=150, customers=10, oauth=("oroint-app", "app-s3cret"), token_ttl=1)
    integration = oro_integration(sim, oauth=True)
    sim.control.faults(latency_ms=60)  # the sync lasts well over the token's second
    run = sync(integration, run_worker)
    assert Order.objects.filter(integration=integration).count() == 150
    assert sim.control.stats()["oauth"]["issued"] >= 2
    assert "app-s3cret" not in run.log


def test_oauth_with_a_bad_secret_fails_the_check(orocommerce):
    sim = orocommerce(orders=5, customers=2, oauth=("oroint-app", "app-s3cret"))
    integration = oro_integration(sim, oauth=True, client_secret="wrong-secret")
    check = integration_check_connection(integration=integration)
    assert not check.ok
    assert "invalid_client" in check.message and "OAuth2 client id or secret is wrong" in check.message
    assert "wrong-secret" not in check.message


def test_force_full_resync_reads_everything_again(orocommerce, run_worker):
    sim = orocommerce(orders=120, customers=10)
    integration = oro_integration(sim)
    sync(integration, run_worker)
    full = sync(integration, run_worker, full=True)
    assert full.full_resync
    assert entity(full, "orders").read >= 120 and entity(full, "orders").created == 0
    assert entity(full, "orders").removed == 0
    assert not Order.objects.filter(integration=integration, removed_in_store_at__isnull=False).exists()


@pytest.mark.parametrize("method", ["wsse", "oauth"])
def test_secrets_are_never_in_run_logs_or_messages(method, orocommerce, run_worker):
    sim = orocommerce(orders=20, customers=4, oauth=("oroint-app", "app-s3cret"))
    integration = oro_integration(sim, oauth=method == "oauth")
    run = sync(integration, run_worker)
    secret = "app-s3cret" if method == "oauth" else sim.api_key
    assert secret not in run.log and secret not in run.message
    assert all(secret not in e.message for e in run.entities.all())


def test_orders_of_customers_not_synced_yet_are_linked_when_they_come(orocommerce, run_worker):
    sim = orocommerce(orders=60, customers=8)
    integration = oro_integration(sim)
    Channel.objects.filter(pk=integration.channel_id).update(entities=["orders"])  # customers left out
    integration.refresh_from_db()
    sync(integration, run_worker)
    orders = Order.objects.filter(integration=integration)
    assert orders.count() == 60 and not orders.filter(customer__isnull=False).exists()
    assert orders.filter(customer_remote_id__isnull=False).exists()
    Channel.objects.filter(pk=integration.channel_id).update(entities=[])
    integration.refresh_from_db()
    second = sync(integration, run_worker)
    assert entity(second, "orders").updated == 0, "the orders themselves did not change"
    assert not orders.filter(customer_remote_id__isnull=False, customer__isnull=True).exists()
    records = integration_records(integration=integration)
    assert (records["orders"], records["customers"]) == (60, Customer.objects.filter(integration=integration).count())
    assert records["pushed"] == {}


def test_check_connection_with_a_currency_offers_only_its_price_lists(orocommerce):
    sim = orocommerce(orders=5, customers=2)
    integration = oro_integration(sim, currency="GBP")
    assert integration_check_connection(integration=integration).ok
    offered = {p["id"] for p in OroCommerceSettings.objects.get(pk=integration.pk).found_choices["price_lists"]}
    in_gbp = {p["id"] for p in sim.control.records("pricelists") if "GBP" in p["attributes"]["priceListCurrencies"]}
    assert offered == in_gbp
