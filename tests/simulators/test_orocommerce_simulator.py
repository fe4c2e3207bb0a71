"""The OroCommerce simulator over HTTP: authentication, reading (filters, sort, paging, include),
errors as Oro writes them, the control endpoints, the command."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import requests

from integrations.simulators.orocommerce import generator
from integrations.simulators.orocommerce.auth import password_digest
from integrations.simulators.orocommerce.server import DEFAULT_API_KEY, start_simulator
from tests.conftest import ROOT, free_port, wait_for

from .orocommerce_client import JSON_API, Api, wsse_headers

ORDER_CLASS = "Oro\\Bundle\\OrderBundle\\Entity\\Order"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sim():
    """One simulator shared by the read-only tests of this module."""
    with start_simulator(orders=120, customers=15, seed=5, now=NOW) as running:
        yield running


@pytest.fixture
def fresh():
    started = []

    def start(**options):
        running = start_simulator(**{"orders": 40, "customers": 8, "seed": 2, "now": NOW, **options})
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def api(sim) -> Api:
    return Api(sim.admin_url, sim.options.api_user, sim.options.api_key)


def every_page(api: Api, path: str, **params) -> list[dict]:
    """Follow `links.next` to the end, as a client reading by links does."""
    out, answer = [], api.get(path, **params)
    while True:
        assert answer.status_code == 200, answer.text
        document = answer.json()
        out += document["data"]
        following = document["links"].get("next")
        if not following:
            return out
        answer = api.session.get(following, headers=api.headers(), timeout=30)


# --- WSSE -----------------------------------------------------------------------------------------


def test_the_wsse_digest_is_the_documented_test_vector():
    raw = b"0123456789abcdef"
    assert base64.b64encode(raw).decode() == "MDEyMzQ1Njc4OWFiY2RlZg=="
    digest = password_digest(raw, "2016-09-20T10:00:00+03:00", "dd1c18d06773cc377c9df6166c54c6e5fefa50fa")
    assert digest == "RR/bt+c+sxZAk8qZQhVbctiTC3I="


def test_a_valid_wsse_header_reads_and_a_wrong_key_is_401(sim, api):
    assert api.get("orders").status_code == 200
    answer = requests.get(f"{sim.admin_url}/api/orders", headers=wsse_headers("demo", "0" * 40), timeout=10)
    assert answer.status_code == 401
    error = answer.json()["errors"][0]
    assert error["status"] == "401" and error["title"] == "authentication exception"
    assert "WSSE" in answer.headers["WWW-Authenticate"]
    wrong_user = requests.get(f"{sim.admin_url}/api/orders", headers=wsse_headers("admin", sim.options.api_key))
    assert wrong_user.status_code == 401
    assert requests.get(f"{sim.admin_url}/api/orders", timeout=10).status_code == 401


def test_a_nonce_is_good_once(sim):
    headers = wsse_headers("demo", sim.options.api_key)
    before = sim.app.stats()["wsse"]["replays"]
    assert requests.get(f"{sim.admin_url}/api/taxrules", headers=headers, timeout=10).status_code == 200
    replay = requests.get(f"{sim.admin_url}/api/taxrules", headers=headers, timeout=10)
    assert replay.status_code == 401
    assert replay.json()["errors"][0]["detail"] == "Previously used nonce detected"
    assert sim.app.stats()["wsse"]["replays"] == before + 1


@pytest.mark.parametrize(
    ("shift", "detail"), [(dt.timedelta(hours=-2), "Token has expired."), (dt.timedelta(hours=1), "Future token")]
)
def test_a_created_out_of_the_header_lifetime_is_refused(sim, shift, detail):
    created = (dt.datetime.now(dt.UTC) + shift).replace(microsecond=0).isoformat()
    headers = wsse_headers("demo", sim.options.api_key, created=created)
    answer = requests.get(f"{sim.admin_url}/api/orders", headers=headers, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["detail"].startswith(detail)


def test_a_created_with_another_offset_within_the_hour_is_accepted(sim):
    created = dt.datetime.now(dt.timezone(dt.timedelta(hours=3))).replace(microsecond=0).isoformat()
    headers = wsse_headers("demo", sim.options.api_key, raw_nonce=os.urandom(16), created=created)
    assert requests.get(f"{sim.admin_url}/api/orders", headers=headers, timeout=10).status_code == 200


# --- OAuth2 ---------------------------------------------------------------------------------------


def test_oauth_client_credentials_tokens_expire(fresh):
    oro = fresh(oauth_client_id="client-1", oauth_client_secret="s3cret", token_ttl=1)
    bad = requests.post(
        f"{oro.url}/oauth2-token",
        json={"grant_type": "client_credentials", "client_id": "client-1", "client_secret": "nope"},
        timeout=10,
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    granted = requests.post(
        f"{oro.url}/oauth2-token",
        json={"grant_type": "client_credentials", "client_id": "client-1", "client_secret": "s3cret"},
        timeout=10,
    )
    assert granted.status_code == 200
    token = granted.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1
    api = Api(oro.admin_url, "", "", token=token["access_token"])
    issued = time.monotonic()
    assert api.get("orders").status_code == 200
    # WSSE still works beside OAuth2.
    assert Api(oro.admin_url, "demo", oro.options.api_key).get("orders").status_code == 200
    wait_for(lambda: time.monotonic() - issued > 1.05, timeout=5, message="the token lifetime to pass")
    expired = api.get("orders")
    assert expired.status_code == 401
    assert "Bearer" in expired.headers["WWW-Authenticate"]
    assert Api(oro.admin_url, "", "", token="not-a-token").get("orders").status_code == 401


def test_oauth_only_refuses_wsse_and_a_form_token_request_works(fresh):
    oro = fresh(api_key="", oauth_client_id="c", oauth_client_secret="s")
    form = requests.post(
        f"{oro.url}/oauth2-token", data={"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"}
    )
    assert form.status_code == 200
    assert Api(oro.admin_url, "demo", "whatever").get("orders").status_code == 401
    assert Api(oro.admin_url, "", "", token=form.json()["access_token"]).get("orders").status_code == 200


# --- reading --------------------------------------------------------------------------------------


def test_orders_are_shaped_as_oro_answers_them(api):
    order = api.data("orders/1")
    assert order["type"] == "orders" and order["id"] == "1"
    attributes = order["attributes"]
    for name in ("identifier", "poNumber", "currency", "subtotalValue", "totalValue", "createdAt", "updatedAt"):
        assert name in attributes
    assert len(attributes["subtotalValue"].split(".")[1]) == 4
    dt.datetime.strptime(attributes["updatedAt"], "%Y-%m-%dT%H:%M:%SZ")
    assert attributes["updatedAt"] >= attributes["createdAt"]
    relationships = order["relationships"]
    assert relationships["internalStatus"]["data"]["type"] == "orderinternalstatuses"
    assert relationships["lineItems"]["data"][0]["type"] == "orderlineitems"
    for name in ("billingAddress", "shippingAddress", "customer", "customerUser", "paymentTerm", "shippingStatus"):
        assert name in relationships


def test_the_default_page_is_ten_and_links_lead_through_every_page(sim, api):
    answer = api.get("orders")
    document = answer.json()
    assert len(document["data"]) == 10
    assert "next" in document["links"] and "prev" not in document["links"]
    every = every_page(api, "orders", **{"page[size]": 25})
    assert len(every) == 120 == len({order["id"] for order in every})
    last = api.get("orders", **{"page[size]": 25, "page[number]": 5}).json()
    assert len(last["data"]) == 20 and "next" not in last["links"] and "prev" in last["links"]
    assert api.get("orders", **{"page[size]": 25, "page[number]": 6}).json()["data"] == []
    assert len(api.data("orders", **{"page[size]": -1})) == 120


def test_total_count_and_no_hateoas_headers(api):
    answer = api.get("orders", headers={"X-Include": "totalCount"}, **{"filter[currency]": "EUR"})
    euros = [o for o in api.data("orders", **{"page[size]": -1}) if o["attributes"]["currency"] == "EUR"]
    assert int(answer.headers["X-Include-Total-Count"]) == len(euros) > 0
    assert "links" not in api.get("orders", headers={"X-Include": "noHateoas"}).json()


def test_sort_by_updated_at_then_id_holds_ties(api):
    orders = api.data("orders", sort="updatedAt,id", **{"page[size]": -1})
    keys = [(o["attributes"]["updatedAt"], int(o["id"])) for o in orders]
    assert keys == sorted(keys)
    stamps = [stamp for stamp, _ in keys]
    assert any(stamps.count(stamp) >= 3 for stamp in stamps), "the data has orders sharing one updatedAt"
    newest_first = api.data("orders", sort="-updatedAt,-id", **{"page[size]": -1})
    assert [o["id"] for o in newest_first] == [o["id"] for o in reversed(orders)]


def test_a_keyset_on_updated_at_and_id_reads_every_order_once_through_ties(api):
    """The (updatedAt, id) keyset a JSON:API client reads with: gte on the time, then skip what was read."""
    seen: list[str] = []
    stamp, last_id = "2000-01-01T00:00:00Z", 0
    while True:
        page = api.data("orders", sort="updatedAt,id", **{"filter[updatedAt][gte]": stamp, "page[size]": 7})
        page = [o for o in page if (o["attributes"]["updatedAt"], int(o["id"])) > (stamp, last_id)]
        if not page:
            break
        seen += [o["id"] for o in page]
        stamp, last_id = page[-1]["attributes"]["updatedAt"], int(page[-1]["id"])
    assert sorted(seen, key=int) == [str(n) for n in range(1, 121)]


def test_filters_with_operators_lists_ranges_and_shorthands(sim, api):
    every = api.data("orders", **{"page[size]": -1})
    middle = sorted(o["attributes"]["updatedAt"] for o in every)[60]
    after = api.data("orders", **{"filter[updatedAt][gt]": middle, "page[size]": -1})
    assert after and all(o["attributes"]["updatedAt"] > middle for o in after)
    # A datetime without Z, as the Marello bridge sends it, is UTC.
    assert api.data("orders", **{"filter[updatedAt][gt]": middle.rstrip("Z"), "page[size]": -1}) == after
    assert {o["id"] for o in api.data("orders", **{"filter[id]": "3,5,8"})} == {"3", "5", "8"}
    assert [o["id"] for o in api.data("orders", **{"filter[id]": "10..14"})] == ["10", "11", "12", "13", "14"]
    assert len(api.data("orders", **{"filter[id][neq]": "1,2", "page[size]": -1})) == 118
    assert [o["id"] for o in api.data("orders", **{"filter[id][lte]": "3"})] == ["1", "2", "3"]
    pounds = api.data("orders", **{"filter[currency][eq]": "EUR,GBP", "page[size]": -1})
    assert pounds and {o["attributes"]["currency"] for o in pounds} <= {"EUR", "GBP"}
    shorthand = requests.get(f"{sim.admin_url}/api/orders?filter[id]>115", headers=api.headers(), timeout=10)
    assert [o["id"] for o in shorthand.json()["data"]] == ["116", "117", "118", "119", "120"]
    with_po = api.data("orders", **{"filter[poNumber][exists]": "yes", "page[size]": -1})
    assert with_po and all(o["attributes"]["poNumber"] for o in with_po)
    identifier = every[3]["attributes"]["identifier"]
    assert [o["id"] for o in api.data("orders", **{"filter[identifier]": identifier})] == [every[3]["id"]]


def test_include_brings_lines_customer_user_and_addresses_once(api):
    document = api.get(
        "orders", include="lineItems,customer,customerUser,billingAddress,shippingAddress", **{"page[size]": 5}
    ).json()
    included = {(item["type"], item["id"]): item for item in document["included"]}
    assert len(included) == len(document["included"])
    for order in document["data"]:
        relationships = order["relationships"]
        for line in relationships["lineItems"]["data"]:
            assert included[("orderlineitems", line["id"])]["attributes"]["productSku"]
        assert ("customers", relationships["customer"]["data"]["id"]) in included
        assert ("customerusers", relationships["customerUser"]["data"]["id"]) in included
        assert ("orderaddresses", relationships["billingAddress"]["data"]["id"]) in included
    customers = api.get("customers", include="addresses,parent,paymentTerm", **{"page[size]": -1}).json()
    types = {item["type"] for item in customers["included"]}
    assert {"customeraddresses", "paymentterms"} <= types
    address = next(item for item in customers["included"] if item["type"] == "customeraddresses")
    assert address["relationships"]["country"]["data"]["type"] == "countries"
    assert {t["addressType"] for t in address["attributes"]["types"]} <= {"billing", "shipping"}


def test_unknown_filters_sorts_includes_and_ids_are_refused_as_oro_does(api):
    unknown = api.get("orders", **{"filter[unknown]": "1"})
    assert unknown.status_code == 400
    assert unknown.json() == {
        "errors": [
            {
                "status": "400",
                "title": "filter constraint",
                "detail": 'Filter "filter[unknown]" is not supported.',
                "source": {"parameter": "filter[unknown]"},
            }
        ]
    }
    assert api.get("orders", **{"filter[updatedAt][gt]": "yesterday"}).status_code == 400
    assert api.get("orders", sort="colour").json()["errors"][0]["title"] == "sort constraint"
    assert api.get("orders", include="nothing").status_code == 400
    missing = api.get("orders/999999")
    assert missing.status_code == 404
    assert missing.json()["errors"][0] == {
        "status": "404",
        "title": "not found http exception",
        "detail": "An entity with the requested identifier does not exist.",
    }
    assert api.get("nosuchthings").status_code == 404
    assert api.get("orders", **{"page[size]": "5000"}).status_code == 400


def test_lines_with_a_product_gone_and_tax_values_and_payment_statuses():
    resources = generator.generate(seed=1, customers=40, orders=300, now=NOW)
    assert resources == generator.generate(seed=1, customers=40, orders=300, now=NOW), "deterministic for a seed"
    catalog = {r["attributes"]["sku"] for r in resources if r["type"] == "products"}
    assert len(catalog) == 60
    lines = [r for r in resources if r["type"] == "orderlineitems"]
    gone = [line for line in lines if line["relationships"]["product"]["data"] is None]
    assert 0.005 < len(gone) / len(lines) < 0.05
    assert all(line["attributes"]["productSku"] not in catalog for line in gone)
    orders = [r for r in resources if r["type"] == "orders"]
    assert {o["attributes"]["currency"] for o in orders} == {"USD", "EUR", "GBP"}
    assert len({o["relationships"]["internalStatus"]["data"]["id"] for o in orders}) >= 4
    tax_values = [r for r in resources if r["type"] == "taxvalues"]
    assert len(tax_values) == len(orders) + len(lines)
    statuses = [r for r in resources if r["type"] == "paymentstatuses"]
    assert 0.75 < len(statuses) / len(orders) < 1


def test_tax_values_and_payment_statuses_filters_as_the_api_bridge_adds_them(api):
    order = api.data("orders/7")
    lines = ",".join(line["id"] for line in order["relationships"]["lineItems"]["data"])
    of_order = api.data("taxvalues", **{"filter[entityClass][eq]": ORDER_CLASS, "filter[entityId][eq]": "7"})
    assert len(of_order) == 1 and of_order[0]["attributes"]["result"]["total"]["currency"]
    of_lines = api.data(
        "taxvalues", **{"filter[entityClass]": ORDER_CLASS + "LineItem", "filter[entityId]": lines, "page[size]": 100}
    )
    assert len(of_lines) == len(order["relationships"]["lineItems"]["data"])
    assert "row" in of_lines[0]["attributes"]["result"]
    statuses = api.data(
        "paymentstatuses", **{"filter[entityClass]": ORDER_CLASS, "filter[entityIdentifier]": "1,2,3,4,5,6,7,8"}
    )
    assert statuses and {s["attributes"]["entityIdentifier"] for s in statuses} <= set(range(1, 9))


def test_lookups_and_the_connection_check_calls(api):
    assert api.data("taxrules")
    assert [w["attributes"]["name"] for w in api.data("warehouses")]
    assert {u["id"] for u in api.data("productunits")} == {"item", "each", "set", "kg"}
    assert all("priceListCurrencies" in p["attributes"] for p in api.data("pricelists"))
    families = api.get(
        "attributefamilies",
        include="labels",
        **{"filter[entityClass][eq]": "Oro\\Bundle\\ProductBundle\\Entity\\Product"},
    ).json()
    assert families["data"][0]["attributes"]["code"] == "default_family" and families["included"]
    assert {s["id"] for s in api.data("orderinternalstatuses")} == {
        "open",
        "cancelled",
        "closed",
        "shipped",
        "archived",
    }
    assert len(api.data("paymentterms")) == 2
    assert api.data("businessunits") and api.data("customertaxcodes") and api.data("producttaxcodes")


def test_sparse_fieldsets(api):
    order = api.data("orders/2", **{"fields[orders]": "identifier,updatedAt"})
    assert set(order["attributes"]) == {"identifier", "updatedAt"} and "relationships" not in order


# --- control --------------------------------------------------------------------------------------


def test_touch_moves_updated_at_to_now(fresh):
    oro = fresh()
    api = Api(oro.admin_url, "demo", oro.options.api_key)
    from integrations.simulators.orocommerce.control import OroCommerceControl

    control = OroCommerceControl(oro.url)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    touched = control.touch("orders", count=3)
    assert len(touched) == 3
    newest = api.data("orders", sort="-updatedAt", **{"page[size]": 3})
    assert {o["id"] for o in newest} == set(touched)
    assert all(o["attributes"]["updatedAt"] >= before for o in newest)
    assert control.touch("customers", ids=[2]) == ["2"]
    assert api.data("customers/2")["attributes"]["updatedAt"] >= before
    assert control.delete("orders", ["1"]) == ["1"]
    assert api.get("orders/1").status_code == 404
    stats = control.stats()
    assert stats["counts"]["orders"] == 39 and stats["calls"]["GET orders"] >= 2
    tax_values = api.data(
        "taxvalues", **{"filter[entityClass]": ORDER_CLASS, "filter[entityId]": touched[0], "page[size]": 5}
    )
    assert tax_values[0]["attributes"]["updatedAt"] >= before, "an edited order's taxes are recalculated"
    assert control.faults(latency_ms=5)["latency_ms"] == 5
    assert control.faults() == {"latency_ms": 5, "fault_rate": 0.0, "not_json_rate": 0.0}
    with pytest.raises(urllib.error.HTTPError) as unknown:
        control.faults(not_xml_rate=0.5)
    assert unknown.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as missing:
        control._get("/_sim/nothing")
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as bad_type:
        control.records("nothings")
    assert bad_type.value.code == 400


def test_faults_answer_html_error_pages_or_drop_the_connection(fresh):
    oro = fresh(fault_rate=1.0)
    api = Api(oro.admin_url, "demo", oro.options.api_key)
    outcomes = set()
    for _ in range(12):
        try:
            answer = api.get("orders")
            outcomes.add(answer.status_code)
            assert "text/html" in answer.headers["Content-Type"]
        except requests.ConnectionError:
            outcomes.add("drop")
    assert outcomes <= {500, 502, 503, 504, "drop"} and len(outcomes) >= 2
    garbled = fresh(not_json_rate=1.0)
    answer = Api(garbled.admin_url, "demo", garbled.options.api_key).get("orders")
    assert answer.status_code == 200 and b"Fatal error" in answer.content


# --- the command and the fixture ------------------------------------------------------------------


def _count(base, resource, user, key):
    """The paging of the independent acceptance client: page[size]=100 until an empty page."""

    def get(path):
        raw = os.urandom(16)
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        digest = base64.b64encode(hashlib.sha1(raw + created.encode() + key.encode()).digest()).decode()
        headers = {
            "Authorization": 'WSSE profile="UsernameToken"',
            "X-WSSE": f'UsernameToken Username="{user}", PasswordDigest="{digest}", '
            f'Nonce="{base64.b64encode(raw).decode()}", Created="{created}"',
            "Accept": JSON_API,
        }
        request = urllib.request.Request(base.rstrip("/") + "/api/" + path, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    n, page = 0, 1
    while True:
        document = get(f"{resource}?page[size]=100&page[number]={page}")
        if not document.get("data"):
            return n
        n += len(document["data"])
        page += 1


def test_the_fixture_runs_the_simulator_as_a_process_that_the_acceptance_client_counts(orocommerce):
    oro = orocommerce(orders=230, customers=9, oauth=("client", "secret"))
    assert _count(oro.admin_url, "orders", oro.api_user, oro.api_key) == 230
    assert _count(oro.admin_url, "customers", oro.api_user, oro.api_key) == 9
    assert oro.stats()["counts"]["orders"] == 230
    token = requests.post(
        f"{oro.url}/oauth2-token",
        json={"grant_type": "client_credentials", "client_id": "client", "client_secret": "secret"},
        timeout=10,
    )
    assert token.status_code == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        _count(oro.admin_url, "orders", oro.api_user, "f" * 40)
    assert refused.value.code == 401
    oro.process.terminate()
    assert oro.process.wait(10) == 0


def _command_process(tmp_path, *args: str):
    """The Django command, run as manage.py would run it once the connector app registers it."""
    code = (
        "import django, sys; django.setup(); "
        "from integrations.connectors.orocommerce.management.commands.orocommerce_simulator import Command; "
        "Command().run_from_argv(['manage.py', 'orocommerce_simulator', *sys.argv[1:]])"
    )
    log = tmp_path / "command.log"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "tests.settings")}
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT, env=environment
    )
    return process, log


def test_the_django_command_serves_until_sigterm_and_refuses_bad_options(tmp_path):
    port = free_port()
    process, log = _command_process(tmp_path, "--port", str(port), "--orders", "15", "--customers", "4", "--seed", "9")
    try:
        wait_for(lambda: "listening on" in log.read_text() or process.poll() is not None, timeout=60, message="start")
        assert f"listening on http://127.0.0.1:{port}/admin/api/" in log.read_text(), log.read_text()
        assert _count(f"http://127.0.0.1:{port}/admin", "orders", "demo", DEFAULT_API_KEY) == 15
    finally:
        process.terminate()
    assert process.wait(10) == 0
    refused, refused_log = _command_process(tmp_path, "--port", str(port), "--fault-rate", "2")
    assert refused.wait(60) != 0
    assert "--fault-rate must be between 0 and 1" in refused_log.read_text()


def test_the_module_runner_refuses_bad_options():
    answer = subprocess.run(
        [sys.executable, "-m", "integrations.simulators.orocommerce", "--port", "0", "--token-ttl", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert answer.returncode == 2 and "--token-ttl must be at least 1 second" in answer.stderr
