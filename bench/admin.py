"""Admin: response times of the change lists, the progress page, the start page and the dashboards with
1,000,000 orders.

The tables are filled with SQL (`INSERT ... SELECT generate_series`, with every NOT NULL column and
foreign key set: websites, stores, groups, customers), until they hold the wanted number of orders
(and a quarter as many customers, half as many carts as customers, and a year of runs every 15
minutes ending with the last order, with quarantined records), then VACUUM ANALYZE, as autovacuum
would leave a table that big, and the per-day and per-customer figures are rebuilt (`stats_rebuild`,
timed).
A logged-in superuser then requests each page with Django's test client, in this process (the whole
middleware, view and template stack, no HTTP): 1 warm-up request, 30 timed, 1 more counting the SQL
queries and the slowest one. Target: median under 200 ms, and no full-table COUNT on every view.
"""

from __future__ import annotations

import datetime
import time
from typing import TYPE_CHECKING, Any

from bench import common

if TYPE_CHECKING:
    from bench.__main__ import Context

REQUESTS = 30
TARGET_MS = 200
SLOW_QUERY_MS = 20  # queries at least this slow are shown under the table
FIRST_NAMES = "Anna Ben Clara David Emma Felix Greta Hugo Ines Jonas Klara Leon Mia Noah Olga Paul Rosa Sam Tina Uwe"
LAST_NAMES = "Adams Baker Clark Davis Evans Fischer Garcia Hansen Ito Jones Kowalski Lopez Meyer Novak Olsen Petrov"
# 20 draws: complete 50 %, processing 15 %, pending, canceled and closed 10 % each, holded 5 %.
STATUSES = ["complete"] * 10 + ["processing"] * 3 + ["pending"] * 2 + ["canceled"] * 2 + ["closed"] * 2 + ["holded"]

CUSTOMERS_SQL = """
INSERT INTO channels_customer (
    integration_id, remote_id, sync_hash, synced_at, is_guest, guest_key, email, prefix, first_name, middle_name,
    last_name, suffix, birthday, gender, vat, created_in, confirmed, remote_created_at, remote_updated_at,
    website_id, store_id, group_id, company_name, payment_term, order_count, lifetime_value, lifetime_currency)
SELECT %(integration)s,
       CASE WHEN g %% 4 = 0 THEN NULL ELSE g END,
       md5(g::text), now(),
       g %% 4 = 0,
       CASE WHEN g %% 4 = 0 THEN 'guest|' || g ELSE NULL END,
       lower(first) || '.' || lower(last) || g || '@' || (ARRAY['example.com', 'mail.test', 'shop.test'])[1 + g %% 3],
       '', first, '', last, '',
       date '1950-01-01' + (g * 37) %% 20000,
       (ARRAY['male', 'female', ''])[1 + g %% 3],
       '', 'Default Store View', true,
       created, created + ((g * 13) %% 400) * interval '1 day',
       (%(websites)s::bigint[])[1 + g %% 3], (%(stores)s::bigint[])[1 + g %% 6], (%(groups)s::bigint[])[1 + g %% 4],
       '', '', 0, 0, ''
FROM generate_series(1, %(count)s) AS g,
     LATERAL (SELECT (%(first)s::text[])[1 + (g * 7) %% 20] AS first,
                     (%(last)s::text[])[1 + (g * 11) %% 16] AS last,
                     timestamptz '2019-01-01 00:00:00+00' + interval '1 second'
                         * (g::float8 / %(count)s * 220000000 + (g::bigint * 7919) %% 86400) AS created
     ) AS v
"""

ORDERS_SQL = """
INSERT INTO channels_order (
    integration_id, remote_id, sync_hash, synced_at, increment_id, customer_remote_id, is_guest, customer_email,
    customer_first_name, customer_last_name, status, state, currency, subtotal, shipping_amount, shipping_method,
    tax_amount, discount_amount, grand_total, total_paid, total_invoiced, total_refunded, total_canceled,
    payment_method, payment_details, coupon_code, remote_ip, gift_message, store_name, quote_remote_id, is_virtual,
    remote_created_at, remote_updated_at, customer_id, store_id, website_id, payment_status, customer_user_remote_id)
SELECT %(integration)s, g, md5(g::text), now(),
       (100000000 + g)::text,
       c.remote_id, c.is_guest, c.email, c.first_name, c.last_name,
       v.status,
       CASE v.status WHEN 'pending' THEN 'new' ELSE v.status END,
       (ARRAY['USD', 'EUR', 'GBP'])[1 + g %% 3],
       v.subtotal, 5.0000, 'flatrate_flatrate', round(v.subtotal * 0.19, 4), 0, v.subtotal * 1.19 + 5,
       CASE WHEN v.status IN ('complete', 'closed', 'processing') THEN v.subtotal * 1.19 + 5 END,
       CASE WHEN v.status IN ('complete', 'closed') THEN v.subtotal * 1.19 + 5 END,
       CASE WHEN v.status = 'closed' THEN v.subtotal * 1.19 + 5 END,
       CASE WHEN v.status = 'canceled' THEN v.subtotal * 1.19 + 5 END,
       (ARRAY['checkmo', 'ccsave', 'paypal_express'])[1 + g %% 3],
       '{"method": "checkmo"}'::jsonb,
       CASE WHEN g %% 10 = 0 THEN 'WELCOME10' ELSE '' END,
       '10.0.' || (g %% 250) || '.' || (g %% 200 + 1), '',
       E'Main Website\\nMain Website Store\\nDefault Store View', g + 500000, false,
       v.created, v.created + ((g * 17) %% 30) * interval '1 day',
       c.id, c.store_id, c.website_id, '', ''
FROM generate_series(1, %(count)s) AS g
     JOIN channels_customer AS c ON c.id = %(first_customer)s + (g::bigint * 7919) %% %(customers)s,
     LATERAL (SELECT (%(statuses)s::text[])[1 + (g * 31) %% 20] AS status,
                     ((g::bigint * 7717) %% 50000) / 100.0 + 5 AS subtotal,
                     timestamptz '2019-01-01 00:00:00+00' + interval '1 second'
                         * (g::float8 / %(count)s * 220000000 + (g::bigint * 104729) %% 86400) AS created
     ) AS v
"""


# Half the customers have a cart: open 40 %, expired 20 %, purchased 30 %, lost 10 %.
CARTS_SQL = """
INSERT INTO channels_cart (
    integration_id, remote_id, sync_hash, synced_at, customer_id, customer_remote_id, customer_group_remote_id,
    is_guest, email, first_name, last_name, is_active, status, status_set_by, items_count, subtotal, grand_total,
    base_currency, store_currency, currency, payment_method, payment_details, remote_created_at, remote_updated_at,
    store_id, website_id)
SELECT c.integration_id, c.id, md5(c.id::text), now(), c.id, c.remote_id, '1',
       c.is_guest, c.email, c.first_name, c.last_name,
       v.status = 'open', v.status, '', 1 + c.id %% 5, v.total, v.total,
       v.currency, v.currency, v.currency, 'checkmo', '{}'::jsonb,
       c.remote_created_at, c.remote_created_at + interval '1 day', c.store_id, c.website_id
FROM channels_customer AS c,
     LATERAL (SELECT (ARRAY['open', 'open', 'open', 'open', 'expired', 'expired', 'purchased', 'purchased',
                            'purchased', 'lost'])[1 + (c.id * 7) %% 10] AS status,
                     (ARRAY['USD', 'EUR', 'GBP'])[1 + c.id %% 3] AS currency,
                     ((c.id * 7717) %% 30000) / 100.0 + 10 AS total) AS v
WHERE c.integration_id = %(integration)s AND c.id %% 2 = 0
"""

# A run every 15 minutes for a year, ending with the data's last order: 95 % succeeded, 4 % failed, 1 % canceled.
RUNS_SQL = """
INSERT INTO integrations_syncrun (
    integration_id, direction, status, trigger, job_id, message, log, current_entity, created_at, started_at,
    finished_at, progress, full_resync)
SELECT %(integration)s, 'import',
       CASE WHEN g %% 100 < 95 THEN 'succeeded' WHEN g %% 100 < 99 THEN 'failed' ELSE 'canceled' END,
       'schedule', '', '', '', '', v.t, v.t, v.t + interval '40 seconds', 100, false
FROM generate_series(1, 35040) AS g,
     LATERAL (SELECT %(last)s::timestamptz - (35040 - g) * interval '15 minutes' AS t) AS v
"""

# 5,000 quarantined records spread over that year.
QUARANTINE_SQL = """
INSERT INTO integrations_quarantinedrecord (
    integration_id, entity, direction, remote_id, label, last_retry_outcome, reason, payload, created_at)
SELECT %(integration)s, 'orders', 'import', (9000000 + g)::text, (100000000 + g)::text, '',
       'Invalid email address: ''john doe@example''', '{"order_id": "1"}'::jsonb,
       %(last)s::timestamptz - (g * 13 %% 365) * interval '1 day'
FROM generate_series(1, 5000) AS g
"""


def populate(orders: int, customers: int) -> dict[str, Any]:
    """Fill the tables up to `orders` orders and `customers` customers, for a new integration."""
    from django.db import connection, transaction

    from channels import stats
    from channels.models import Cart, Customer, CustomerGroup, Order, Store, Website

    started = time.monotonic()
    integration = common.create_integration("Bench admin", "http://127.0.0.1:9/api/v2_soap/?wsdl=1")
    websites = Website.objects.bulk_create(
        Website(integration=integration, remote_id=i, code=f"web{i}", name=f"Website {i}") for i in (1, 2, 3)
    )
    stores = Store.objects.bulk_create(
        Store(integration=integration, remote_id=i, code=f"store{i}", name=f"Store {i}", website=websites[i % 3])
        for i in range(1, 7)
    )
    groups = CustomerGroup.objects.bulk_create(
        CustomerGroup(integration=integration, remote_id=i, name=name)
        for i, name in enumerate(("NOT LOGGED IN", "General", "Wholesale", "Retailer"))
    )
    new_customers = max(0, customers - Customer.objects.count())
    new_orders = max(0, orders - Order.objects.count())
    with transaction.atomic(), connection.cursor() as cursor:
        common.log(f"admin: inserting {new_customers:,} customers")
        cursor.execute(
            CUSTOMERS_SQL,
            {
                "integration": integration.pk,
                "count": max(new_customers, 1),
                "websites": [w.pk for w in websites],
                "stores": [s.pk for s in stores],
                "groups": [g.pk for g in groups],
                "first": FIRST_NAMES.split(),
                "last": LAST_NAMES.split(),
            },
        )
        # One INSERT from one sequence with no other writer: the new ids are consecutive.
        cursor.execute("SELECT min(id), count(*) FROM channels_customer WHERE integration_id = %s", [integration.pk])
        first_customer, count = cursor.fetchone()
        common.log(f"admin: inserting {new_orders:,} orders")
        if new_orders:
            cursor.execute(
                ORDERS_SQL,
                {
                    "integration": integration.pk,
                    "count": new_orders,
                    "first_customer": first_customer,
                    "customers": count,
                    "statuses": STATUSES,
                },
            )
        common.log("admin: inserting carts, a year of runs and quarantined records")
        cursor.execute(CARTS_SQL, {"integration": integration.pk})
        cursor.execute("SELECT max(remote_created_at) FROM channels_order WHERE integration_id = %s", [integration.pk])
        last = cursor.fetchone()[0]
        cursor.execute(RUNS_SQL, {"integration": integration.pk, "last": last})
        cursor.execute(QUARANTINE_SQL, {"integration": integration.pk, "last": last})
    common.log("admin: VACUUM ANALYZE")
    with connection.cursor() as cursor:
        for table in ("channels_customer", "channels_order", "channels_cart", "integrations_syncrun"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('channels_order'))")
        order_size = cursor.fetchone()[0]
    common.log("admin: stats_rebuild (orders and customers per day, each customer's figures)")
    began = time.monotonic()
    stats.stats_rebuild(integration_id=integration.pk)
    stats_seconds = time.monotonic() - began
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE channels_customer")
    return {
        "integration": integration,
        "last_order_at": last,
        "stats_seconds": stats_seconds,
        "carts": Cart.objects.filter(integration=integration).count(),
        "orders": Order.objects.count(),
        "customers": Customer.objects.count(),
        "orders_size": order_size,
        "seconds": time.monotonic() - started,
    }


def sample_run(integration) -> int:
    """A finished run with its per-entity rows, a log and some quarantined records, for the progress page."""
    from django.utils import timezone

    from integrations.models import QuarantinedRecord, SyncRun, SyncRunEntity

    now = timezone.now()
    run = SyncRun.objects.create(
        integration=integration,
        status=SyncRun.Status.SUCCEEDED,
        trigger=SyncRun.Trigger.CLI,
        progress=100.0,
        started_at=now - datetime.timedelta(minutes=20),
        finished_at=now,
        heartbeat_at=now,
        message="Stats: read [1250010], created [1250000], updated [0], skipped [0], failed [20]",
        log="".join(f"2025-01-01 00:{i:02d}:00 oroOrderList: HTTP 503; retrying in 1 s\n" for i in range(60)),
    )
    for position, (entity, read) in enumerate(
        (("websites", 3), ("stores", 6), ("customer_groups", 4), ("customers", 250_000), ("orders", 1_000_000))
    ):
        SyncRunEntity.objects.create(
            run=run,
            entity=entity,
            position=position,
            status=SyncRunEntity.Status.SUCCEEDED,
            read=read,
            created=read,
            total=read,
            started_at=now,
            finished_at=now,
        )
    QuarantinedRecord.objects.bulk_create(
        QuarantinedRecord(
            integration=integration,
            run=run,
            entity="orders",
            remote_id=str(i),
            reason="Invalid email address: 'john doe@example'",
            payload={"order_id": str(i), "customer_email": "john doe@example", "items": [{"sku": "X"}] * 3},
        )
        for i in range(20)
    )
    return run.pk


def measure(client, url: str) -> dict[str, Any]:
    """1 warm-up request, REQUESTS timed ones, then one counting the queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered HTTP {response.status_code}")
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default={"time": "0", "sql": ""})
    return {
        "median_ms": common.median(timings),
        "p95_ms": common.percentile(timings, 0.95),
        "queries": len(queries.captured_queries),
        "slowest_query_ms": float(slowest["time"]) * 1000,
        "slowest_query": slowest["sql"][:300],
        "counts": sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries),
        # What the issue forbids on every page view: a COUNT with no WHERE, which reads the whole table.
        "whole_table_counts": sum(
            "COUNT(" in q["sql"].upper() and " WHERE " not in q["sql"].upper() for q in queries.captured_queries
        ),
    }


JANUARY = "remote_created_at__range__gte=2024-01-01&remote_created_at__range__lte=2024-01-31"
CSV_ROWS = 10_000
CSV_REQUESTS = 5


def measure_csv(client, url: str) -> dict[str, Any]:
    """The time to the first CSV_ROWS rows of a streamed export, CSV_REQUESTS times."""
    timings = []
    for _ in range(CSV_REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, url
        lines = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            if lines > CSV_ROWS:
                break
        response.close()
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "url": url,
        "median_ms": common.median(timings),
        "p95_ms": common.percentile(timings, 0.95),
        "queries": 0,
        "slowest_query_ms": 0.0,
        "slowest_query": "",
        "counts": 0,
        "whole_table_counts": 0,
    }


def run(context: Context) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from channels.models import Customer, Order

    data = context.admin_data()
    integration = data["integration"]
    run_id = sample_run(integration)
    user = get_user_model().objects.create_superuser("bench-admin", "bench@example.com", "bench-password-1")
    client = Client()
    client.force_login(user)
    customer = Customer.objects.filter(integration=integration, is_guest=False).order_by("pk")[1000]
    order = Order.objects.filter(integration=integration).order_by("pk")[1000]
    dashboard = "/admin/dashboard/"
    last_day = timezone.localtime(data["last_order_at"]).date()
    year_before = last_day - datetime.timedelta(days=364)
    year = f"start={year_before}&end={last_day}"
    pages = [
        ("orders: change list", "/admin/channels/order/"),
        ("orders: status = complete", "/admin/channels/order/?status__exact=complete"),
        ("orders: search an email", f"/admin/channels/order/?q={customer.email}"),
        ("orders: change list, page 1,000", "/admin/channels/order/?p=1000"),
        ("customers: change list", "/admin/channels/customer/"),
        ("customers: search an email", f"/admin/channels/customer/?q={customer.email}"),
        ("order page", f"/admin/channels/order/{order.pk}/change/"),
        ("customer page", f"/admin/channels/customer/{customer.pk}/change/"),
        ("sync run: progress page", f"/admin/integrations/syncrun/{run_id}/change/"),
        ("sync run: status JSON", f"/admin/integrations/syncrun/{run_id}/status/"),
        # -- the daily pages: date ranges, totals, sorting on the new columns, CSV export ----------
        ("orders: one month (range), totals from OrderDay", f"/admin/channels/order/?{JANUARY}"),
        ("orders: one month and a status, totals summed", f"/admin/channels/order/?{JANUARY}&status__exact=complete"),
        (
            "orders: status = complete, its totals (fetched by the page)",
            "/admin/channels/order/totals/?status__exact=complete",
        ),
        ("orders: sorted by total", "/admin/channels/order/?o=-4"),
        ("customers: sorted by lifetime value", "/admin/channels/customer/?o=-4"),
        ("customers: sorted by name", "/admin/channels/customer/?o=0"),
        (
            "customers: last order in one month (range)",
            f"/admin/channels/customer/?{JANUARY.replace('remote_created', 'last_order')}",
        ),
        # The start page and the dashboards, over the data's last 30 days and last year (the fill ends then).
        ("start page", "/admin/"),
        ("dashboard: all channels, 30 days", f"{dashboard}?end={last_day}"),
        ("dashboard: one channel, 30 days", f"{dashboard}?channel={integration.pk}&end={last_day}"),
        ("dashboard: all channels, a year", f"{dashboard}?start={year_before}&end={last_day}"),
        ("dashboard: one channel, a year, JSON", f"{dashboard}?channel={integration.pk}&{year}&format=json"),
        ("integrations: change list", "/admin/integrations/integration/"),
        ("sync runs: change list", "/admin/integrations/syncrun/"),
    ]
    results = {}
    for label, url in pages:
        common.log(f"admin: {label}")
        results[label] = {"url": url, **measure(client, url)}
    csv_label = f"orders: CSV export of a status filter, first {CSV_ROWS:,} rows"
    common.log(f"admin: {csv_label}")
    results[csv_label] = measure_csv(client, "/admin/channels/order/export.csv?status__exact=complete")
    common.table(
        f"Admin with {data['orders']:,} orders and {data['customers']:,} customers ({REQUESTS} requests a page)",
        ["page", "median ms", "p95 ms", "SQL queries", "COUNTs", "whole-table COUNTs", "slowest query ms"],
        [
            [
                label,
                common.number(r["median_ms"], 1),
                common.number(r["p95_ms"], 1),
                r["queries"],
                r["counts"],
                r["whole_table_counts"],
                common.number(r["slowest_query_ms"], 1),
            ]
            for label, r in results.items()
        ],
        notes=[
            f"target: median under {TARGET_MS} ms. In-process test client, superuser; DJANGO_DEBUG=0. "
            f"Filled in {data['seconds']:.0f} s, of which stats_rebuild {data['stats_seconds']:.0f} s; "
            f"{data['carts']:,} carts; channels_order takes {data['orders_size']}. COUNTs: queries with "
            "a COUNT (a filtered list's paginator, the page's per-customer order counts, a run's quarantined "
            "records); whole-table: those without a WHERE.",
            *(
                f"- {label}: slowest query ({r['slowest_query_ms']:.0f} ms): `{r['slowest_query'][:160]}...`"
                for label, r in results.items()
                if r["slowest_query_ms"] >= SLOW_QUERY_MS
            ),
        ],
    )
    return {
        "orders": data["orders"],
        "customers": data["customers"],
        "fill_seconds": data["seconds"],
        "stats_rebuild_seconds": data["stats_seconds"],
        "pages": results,
    }
