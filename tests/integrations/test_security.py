"""Secrets stay secret, and a store's WSDL cannot make oroint read other documents."""

import json
import logging
import re
import urllib.request
from types import SimpleNamespace

import pytest

from integrations.models import ConnectionCheck, SyncRun
from integrations.services import integration_check_connection, sync_execute
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "very-s3cret-api-key-value"


def test_a_wsdl_with_entities_is_refused(http_server, tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("root:x:0:0")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY leak SYSTEM "file://{secret_file}">]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="&leak;" targetNamespace="urn:Magento"/>""".encode()
    result = integration_check_connection(integration=magento_integration(url=http_server(body, "text/xml")))
    assert not result.ok
    assert "root:x" not in result.message


def test_a_wsdl_importing_another_document_is_refused(http_server):
    body = b"""<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:Magento">
  <import namespace="urn:x" location="http://169.254.169.254/latest/meta-data/"/>
</definitions>"""
    result = integration_check_connection(integration=magento_integration(url=http_server(body, "text/xml")))
    assert not result.ok
    assert "Refused to load the WSDL" in result.message


def test_the_key_is_never_logged_nor_in_run_messages(magento, rq, caplog):
    caplog.set_level(logging.DEBUG)
    sim = magento(customers=5, orders=10)
    bad = magento_integration("Bad", url=sim.wsdl_url, api_key=SECRET)
    check = ConnectionCheck.objects.create(integration=bad)
    integration_check_connection(integration=bad, check=check)
    run = SyncRun.objects.create(integration=bad)
    run = sync_execute(run_id=run.pk)
    assert run.status == SyncRun.Status.FAILED and "Access denied" in run.message
    check.refresh_from_db()
    texts = [caplog.text, run.message, run.log, check.message, str(check.details), repr(bad)]
    assert all(SECRET not in text for text in texts)


# -- the key goes only where the admin sent it ------------------------------------------------------


@pytest.fixture
def hosts(magento, hostile):
    """`store` (the simulator behind a proxy) and `thief`, a second host that answers like one and records all."""
    sim = magento(customers=5, orders=5, key=SECRET)
    return SimpleNamespace(store=hostile(sim.url), thief=hostile(sim.url))


def wsdl_of(proxy) -> str:
    return f"{proxy.url}/api/v2_soap/?wsdl=1"


def never_reached(thief) -> bool:
    return SECRET not in json.dumps(thief.control.seen())


@pytest.mark.parametrize("how", ["soap:address", "307 on login", "302 of the WSDL"])
def test_the_key_never_goes_to_another_host(hosts, how):
    store, thief = hosts.store, hosts.thief
    rules = {
        "soap:address": {
            "path": "wsdl",
            "replace": [{"pattern": re.escape(store.url) + "/api.php", "with": f"{thief.url}/api.php"}],
        },
        "307 on login": {"body": "login", "status": 307, "location": f"{thief.url}/api.php?type=v2_soap"},
        "302 of the WSDL": {"path": "wsdl", "location": wsdl_of(thief)},
    }
    store.control.rules(rules[how])
    integration = magento_integration(url=wsdl_of(store), api_key=SECRET)
    result = integration_check_connection(integration=integration)
    assert not result.ok
    assert thief.url.removeprefix("http://") in result.message and store.url.removeprefix("http://") in result.message
    assert never_reached(thief), f"the key reached the other host through the {how}"


def test_a_redirect_within_the_store_is_followed(hosts):
    store = hosts.store
    store.control.rules({"path": "wsdl=1$", "times": 1, "location": "/api/v2_soap/?wsdl=1&moved=1"})
    result = integration_check_connection(integration=magento_integration(url=wsdl_of(store), api_key=SECRET))
    assert result.ok, result.message


def test_a_store_s_own_api_host_is_called_when_the_settings_name_it(hosts):
    store, thief = hosts.store, hosts.thief
    store.control.rules(
        {"path": "wsdl", "replace": [{"pattern": re.escape(store.url) + "/api.php", "with": f"{thief.url}/api.php"}]}
    )
    named = magento_integration(url=wsdl_of(store), api_key=SECRET, api_host=thief.url)
    result = integration_check_connection(integration=named)
    assert result.ok, result.message
    assert not never_reached(thief), "sent there on purpose"


def test_a_wsdl_redirected_to_a_file_is_not_read_and_tells_nothing_of_it(hosts, tmp_path):
    store = hosts.store
    copy = tmp_path / "store.wsdl"  # a Magento WSDL on this machine's disk
    with urllib.request.urlopen(wsdl_of(store), timeout=10) as answer:
        copy.write_bytes(answer.read())
    messages = []
    for target in (copy, tmp_path / "no-such-file.wsdl"):
        store.control.rules({"path": "wsdl", "location": f"file://{target}"})
        result = integration_check_connection(integration=magento_integration(f"To {target.name}", url=wsdl_of(store)))
        assert not result.ok, "the WSDL was read from this machine's disk"
        messages.append(result.message)
    assert messages[0] == messages[1], "whether a file exists must not show"
    assert "a file: URL" in messages[0] and str(tmp_path) not in messages[0]


# -- a user and password in a URL ---------------------------------------------------------------------


def test_a_url_with_a_user_and_password_is_refused(admin_client):
    from django.core.exceptions import ValidationError

    response = admin_client.post(
        "/admin/integrations/integration/add/?type=magento1",
        {
            "name": "Ann's store",
            "api_url": "https://oro:pw-in-url@shop.example.com/api/v2_soap/?wsdl=1",
            "api_user": "oro",
            "api_key": SECRET,
            "mode": "auto",
            "sync_start_date": "2007-01-01",
            "website_id": "-1",
            "sync_priority": "remote",
            "sync_interval_minutes": "0",
        },
    )
    assert response.status_code == 200
    assert "Enter the URL without a user name or password" in response.content.decode()
    with pytest.raises(ValidationError, match="without a user name or password"):
        magento_integration(url="https://oro:pw-in-url@shop.example.com/api/v2_soap/?wsdl=1")


def test_a_stored_url_with_a_password_never_shows_it(magento, http_server, rq, django_user_model, mailoutbox):
    from integrations.connectors.magento1.models import Magento1Settings

    owner = django_user_model.objects.create_user("owner", email="owner@example.com")
    sim = magento(customers=5, orders=5)
    found = []
    for name, url in (
        ("Not Magento", http_server(b'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>', "text/xml")),
        ("Missing", f"{sim.url}/no/such/wsdl?wsdl=1"),
    ):
        integration = magento_integration(name, owner=owner)
        # Saved before URLs with credentials were refused.
        Magento1Settings.objects.filter(pk=integration.pk).update(api_url=url.replace("://", "://oro:pw-in-url@"))
        integration.refresh_from_db()
        check = ConnectionCheck.objects.create(integration=integration)
        integration_check_connection(integration=integration, check=check)
        check.refresh_from_db()
        run = sync_execute(run_id=SyncRun.objects.create(integration=integration).pk)
        assert run.status == SyncRun.Status.FAILED
        found += [check.message, run.message, run.log]
    found += [mail.body for mail in mailoutbox]
    assert len(mailoutbox) == 2
    assert all("pw-in-url" not in text and "oro:" not in text for text in found), found


# -- a staff user who may change the settings but was never told the key -----------------------------


def change_form(integration, **overrides) -> dict[str, str]:
    found = integration.settings
    data = {
        "name": integration.name,
        "api_url": found.api_url,
        "api_host": found.api_host,
        "api_user": found.api_user,
        "api_key": "",  # "leave blank to keep the current key"
        "mode": found.mode,
        "guest_customer_sync": "on",
        "sync_start_date": found.sync_start_date.isoformat(),
        "website_id": str(found.website_id),
        "sync_priority": integration.sync_priority,
        "sync_interval_minutes": "0",
        "enabled": "on",
        "channel_active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("moved", ["host", "port", "scheme", "api host"])
def test_pointing_the_settings_elsewhere_asks_for_the_key_again(client, django_user_model, hosts, moved):
    from django.urls import reverse

    from integrations import permissions

    store, thief = hosts.store, hosts.thief
    integration = magento_integration(url=wsdl_of(store), api_key=SECRET)
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    permissions.grant(clerk, integration, actions=("view", "change"))
    client.force_login(clerk)
    page = reverse("admin:integrations_integration_change", args=[integration.pk])
    port = store.url.rsplit(":", 1)[1]
    elsewhere = {
        "host": {"api_url": wsdl_of(thief)},
        "port": {"api_url": wsdl_of(store).replace(f":{port}/", f":{int(port) + 1}/")},
        "scheme": {"api_url": wsdl_of(store).replace("http://", "https://")},
        "api host": {"api_host": thief.url},
    }[moved]

    refused = client.post(page, change_form(integration, **elsewhere))
    assert refused.status_code == 200
    assert "enter the SOAP API key again" in refused.content.decode()
    integration.refresh_from_db()
    assert integration.settings.api_url == wsdl_of(store) and integration.settings.api_host == ""
    assert integration.settings.api_key == SECRET
    integration_check_connection(integration=integration)  # what pressing Check Connection then does
    assert never_reached(thief)

    same_origin = client.post(page, change_form(integration, api_url=wsdl_of(store) + "&again=1"))
    assert same_origin.status_code == 302, "a new path on the same origin keeps the key"
    entered = client.post(page, change_form(integration, api_key=SECRET, **elsewhere))
    assert entered.status_code == 302, entered.content.decode()[-2000:]
    integration.refresh_from_db()
    assert all(getattr(integration.settings, name) == value for name, value in elsewhere.items())
    assert integration.settings.api_key == SECRET
