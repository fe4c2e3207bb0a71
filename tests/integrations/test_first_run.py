"""A guided first run: Check Connection on the form's values (saved or not), its secrets never in clear,
the duplicate-store warning, and the navigation around it."""

import zlib

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from guardian.conf import settings as guardian_settings

from integrations import crypto
from integrations.models import ConnectionCheck, Integration
from integrations.selectors import integrations_on_store, store_address
from tests.factories import magento_integration
from tests.integrations.test_admin import ADD_URL, form_data

CHECK_NEW_URL = "/admin/integrations/integration/check/?type=magento1"
TYPED_KEY = "typed-key-7f3a9c"


def redis_holds(rq, needle: str) -> list[bytes]:
    """The Redis keys any of whose values (job data decompressed) holds `needle`."""
    found = []
    for key in rq.keys("*"):
        kind = rq.type(key)
        if kind == b"hash":
            values = list(rq.hgetall(key).values())
        elif kind == b"string":
            values = [rq.get(key)]
        elif kind == b"list":
            values = rq.lrange(key, 0, -1)
        elif kind == b"zset":
            values = [m for m, _ in rq.zrange(key, 0, -1, withscores=True)]
        elif kind == b"set":
            values = list(rq.smembers(key))
        else:
            values = []
        for value in values:
            try:
                value = zlib.decompress(value)
            except zlib.error:
                pass
            if needle.encode() in value:
                found.append(key)
    return found


def check_row(check_id: int) -> str:
    """The check's row as the database holds it, every column as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM integrations_connectioncheck WHERE id = %s", [check_id])
        return " ".join(str(v) for v in cursor.fetchone())


def status_of(client, answer: dict) -> dict:
    return client.get(answer["status_url"]).json()


@pytest.mark.django_db(transaction=True)
def test_check_on_the_add_form_tests_the_typed_values_then_save_keeps_what_it_found(
    admin_client, admin_user, magento, rq, run_worker
):
    sim = magento(customers=3, orders=3, key=TYPED_KEY)
    typed = form_data(api_url=sim.wsdl_url, api_user=sim.api_user, api_key=TYPED_KEY)
    answer = admin_client.post(CHECK_NEW_URL, typed)
    assert answer.status_code == 202, answer.content
    answer = answer.json()
    assert answer["status"] == "queued" and not Integration.objects.exists()

    check = ConnectionCheck.objects.get(pk=answer["id"])
    assert check.integration is None and check.integration_type == "magento1" and check.requested_by == admin_user
    assert check.draft["api_url"] == sim.wsdl_url and "api_key" not in check.draft
    assert crypto.decrypt(check.draft_secrets["api_key"]) == TYPED_KEY  # as the saved settings hold it
    assert TYPED_KEY not in check_row(check.pk)
    job = rq.hgetall(f"rq:job:check-{check.pk}")
    assert job, "the check's job is queued"
    assert redis_holds(rq, TYPED_KEY) == []
    assert redis_holds(rq, f"check-{check.pk}")  # the search does find what the job holds

    run_worker()
    result = status_of(admin_client, answer)
    assert result["status"] == "succeeded", result["message"]
    assert result["finished"] and "website(s) found" in result["message"]
    websites = result["choices"]["website_id"]
    assert websites[0] == ["-1", "All Websites"] and websites[1][0] == "1"
    check.refresh_from_db()
    assert check.draft_secrets == {} and TYPED_KEY not in check_row(check.pk)  # gone once ended
    assert not Integration.objects.exists()

    again = admin_client.post(ADD_URL, {**typed, "name": "", "website_id": "1", "connection_check": str(check.pk)})
    again = again.content.decode()  # a value to correct: the page comes back with the check and its websites
    assert "This field is required." in again and "Connection successful" in again
    assert 'value="1" selected' in again
    saved = admin_client.post(ADD_URL, {**typed, "website_id": "1", "connection_check": str(check.pk)})
    assert saved.status_code == 302, saved.content.decode()[-2000:]
    integration = Integration.objects.get()
    assert integration.settings.website_id == 1 and integration.settings.detected_mode == "bridge"
    assert integration.settings.websites[0]["id"] == 1
    assert integration.checks.get() == check  # the page's Last check
    assert integration.checks.get().tested_saved
    page = admin_client.get(reverse("admin:integrations_integration_change", args=[integration.pk]))
    assert "Connection successful" in page.content.decode()


@pytest.mark.django_db
def test_a_check_of_another_user_or_store_fills_nothing_on_save(admin_client, django_user_model, rq):
    other = django_user_model.objects.create_superuser("other", password="pw")
    found = {"websites": [{"id": 1, "label": "Website ID: 1, Stores: Default"}], "detected_mode": "bridge"}
    theirs = ConnectionCheck.objects.create(
        integration_type="magento1", status="succeeded", requested_by=other, found=found, draft={"api_url": "x"}
    )
    data = form_data(website_id="1", connection_check=str(theirs.pk))
    assert "Select a valid choice" in admin_client.post(ADD_URL, data).content.decode()
    mine = ConnectionCheck.objects.create(
        integration_type="magento1",
        status="succeeded",
        requested_by=get_user_model().objects.get(username="admin"),
        found=found,
        draft={"api_url": "https://another.example.com/api/v2_soap/?wsdl=1"},
    )
    data = form_data(website_id="1", connection_check=str(mine.pk))
    assert "Select a valid choice" in admin_client.post(ADD_URL, data).content.decode()
    assert not Integration.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_check_on_the_change_form_tests_the_typed_values_and_saves_nothing(admin_client, magento, rq, run_worker):
    sim = magento(customers=3, orders=3)
    integration = magento_integration(url="http://127.0.0.1:9/api/v2_soap/?wsdl=1", api_key="old-saved-key")
    url = reverse("admin:integrations_integration_check", args=[integration.pk])
    moved = form_data(
        name=integration.name, api_url=sim.wsdl_url, api_user=sim.api_user, api_key="", sync_start_date="2000-01-01"
    )

    refused = admin_client.post(url, moved)
    assert refused.status_code == 400
    assert f"now points at {sim.url}" in refused.json()["message"]
    assert "enter the SOAP API key again" in refused.json()["message"]
    assert not ConnectionCheck.objects.exists()

    answer = admin_client.post(url, {**moved, "api_key": sim.api_key}).json()
    run_worker()
    result = status_of(admin_client, answer)
    assert result["status"] == "succeeded", result["message"]
    assert [c[0] for c in result["choices"]["website_id"]][:2] == ["-1", "1"]
    integration.refresh_from_db()
    assert integration.settings.api_url == "http://127.0.0.1:9/api/v2_soap/?wsdl=1"  # nothing saved
    assert integration.settings.api_key == "old-saved-key" and integration.settings.websites == []
    assert not ConnectionCheck.objects.get(pk=answer["id"]).tested_saved  # says nothing of the saved settings


@pytest.mark.django_db(transaction=True)
def test_a_blank_key_on_the_change_form_is_the_saved_key(admin_client, magento, rq, run_worker):
    sim = magento(customers=3, orders=3)
    integration = magento_integration(url=sim.wsdl_url, api_key=sim.api_key)
    url = reverse("admin:integrations_integration_check", args=[integration.pk])
    same = form_data(
        name=integration.name, api_url=sim.wsdl_url, api_user=sim.api_user, api_key="", sync_start_date="2000-01-01"
    )

    changed = admin_client.post(url, {**same, "guest_customer_sync": ""}).json()
    run_worker()
    assert status_of(admin_client, changed)["status"] == "succeeded"
    integration.refresh_from_db()
    assert integration.settings.websites == []  # a check of other values than the saved ones

    unchanged = admin_client.post(url, same).json()
    run_worker()
    assert status_of(admin_client, unchanged)["status"] == "succeeded"
    integration.refresh_from_db()
    assert integration.settings.websites and integration.settings.detected_mode == "bridge"  # the saved ones'
    assert ConnectionCheck.objects.get(pk=unchanged["id"]).tested_saved
    assert not ConnectionCheck.objects.get(pk=changed["id"]).tested_saved


@pytest.mark.django_db
def test_check_validates_the_form_and_needs_the_change_permission(admin_client, client, django_user_model, rq):
    answer = admin_client.post(CHECK_NEW_URL, form_data(api_key="", api_url="ftp://x"))
    assert answer.status_code == 400
    message = answer.json()["message"]
    assert "SOAP WSDL URL: Enter an http:// or https:// URL." in message and "SOAP API key" in message
    integration = magento_integration()
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    url = reverse("admin:integrations_integration_check", args=[integration.pk])
    assert client.post(url, form_data()).status_code == 403
    assert client.post(CHECK_NEW_URL, form_data()).status_code == 403
    mine = admin_client.post(CHECK_NEW_URL, form_data()).json()
    assert client.get(mine["status_url"]).status_code == 403  # an Add form's check is its user's only
    assert not ConnectionCheck.objects.exclude(pk=mine["id"]).exists()


def test_store_address_is_normalised():
    assert store_address("HTTPS://Shop.Example.com:443/api/v2_soap/?wsdl=1") == "https://shop.example.com/api/v2_soap"
    assert store_address("http://shop.example.com:8080/admin/") == "http://shop.example.com:8080/admin"
    assert store_address("not a url") is None


@pytest.mark.django_db
def test_a_store_url_already_connected_is_warned_on_check_and_on_save(admin_client, rq):
    first = magento_integration("First store", url="https://shop.example.com/api/v2_soap/?wsdl=1")
    again = "HTTPS://shop.example.com:443/api/v2_soap?wsdl=1"
    assert integrations_on_store(url=again) == [first]
    assert integrations_on_store(url=again, exclude=first.pk) == []

    answer = admin_client.post(CHECK_NEW_URL, form_data(api_url=again)).json()
    link = reverse("admin:integrations_integration_change", args=[first.pk])
    assert f'<a href="{link}">First store</a>' in answer["warning"]
    assert "each of its orders would then appear twice" in answer["warning"]
    assert f'<a href="{link}">First store</a>' in status_of(admin_client, answer)["warning"]

    saved = admin_client.post(ADD_URL, form_data(name="Second store", api_url=again), follow=True)
    content = saved.content.decode()
    assert Integration.objects.filter(name="Second store").exists()
    assert "is already the store of" in content and f'href="{link}"' in content

    alone = admin_client.post(CHECK_NEW_URL, form_data(api_url="https://other.example.com/api/v2_soap/")).json()
    assert alone["warning"] == ""


@pytest.mark.django_db
def test_the_check_button_sits_after_the_connection_fields(admin_client):
    page = admin_client.get(ADD_URL).content.decode()
    assert 'id="check-connection"' in page and 'name="connection_check"' in page
    assert page.index('name="mode"') < page.index('id="check-connection"') < page.index('name="sync_start_date"')
    assert page.index('name="_save"') < page.index('name="api_url"')  # Save on top too


@pytest.mark.django_db
def test_sync_priority_is_not_applied_without_two_way_sync(admin_client):
    integration = magento_integration()
    url = reverse("admin:integrations_integration_change", args=[integration.pk])
    page = admin_client.get(url).content.decode()
    assert "field-sync_priority" in page and "integrations/check.js" in page  # the script hides its row
    data = form_data(
        name=integration.name, api_url=integration.settings.api_url, api_key="", sync_start_date="2000-01-01"
    )
    assert admin_client.post(url, {**data, "sync_priority": "local"}).status_code == 302
    integration.refresh_from_db()
    assert integration.sync_priority == "remote"
    assert admin_client.post(url, {**data, "sync_priority": "local", "two_way_sync": "on"}).status_code == 302
    integration.refresh_from_db()
    assert integration.sync_priority == "local"


# -- navigation -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_integrations_come_first_in_the_menu(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    apps = admin.site.get_app_list(request)
    names = [app["name"] for app in apps]
    assert names[:3] == ["Integrations", "Channels and synced records", "Catalog & taxes"], names
    # The dashboard is a page, not a model: first in the integrations' section, so every page's menu has it.
    assert apps[0]["models"][0]["name"] == "Dashboard"
    assert apps[0]["models"][0]["admin_url"] == reverse("admin:dashboard")


@pytest.mark.django_db
def test_the_dashboard_is_in_the_menu_only_of_who_may_view_an_integration(admin_client, client, django_user_model):
    assert 'href="/admin/dashboard/"' in admin_client.get("/admin/channels/order/").content.decode()
    staff = django_user_model.objects.create_user("nobody", password="pw", is_staff=True)
    client.force_login(staff)
    request = RequestFactory().get("/admin/")
    request.user = staff
    assert "Dashboard" not in [m["name"] for app in admin.site.get_app_list(request) for m in app["models"]]


@pytest.mark.django_db
def test_the_queue_internals_are_for_superusers_only(admin_client, client, django_user_model, rq):
    from django.contrib.auth.models import Permission

    assert admin_client.get("/admin/django_rq/dashboard/").status_code == 200
    staff = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())  # every permission, but not a superuser
    client.force_login(staff)
    for url in (
        "/admin/django_rq/dashboard/",
        "/admin/django_rq/dashboard/queues/0/",
        "/admin/django_rq/dashboard/stats.json/",
    ):
        assert client.get(url).status_code in (403, 404), url
    request = RequestFactory().get("/admin/")
    request.user = staff
    assert "Django-RQ" not in str(admin.site.get_app_list(request))
    assert "django_rq" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_the_anonymous_user_owns_nothing(admin_client):
    User = get_user_model()
    assert User.objects.filter(username=guardian_settings.ANONYMOUS_USER_NAME).exists()
    page = admin_client.get(ADD_URL).content.decode()
    assert 'name="default_owner"' in page and ">admin<" in page
    assert guardian_settings.ANONYMOUS_USER_NAME not in page


@pytest.mark.django_db(transaction=True)
def test_an_orocommerce_add_form_check_fills_the_store_choices_and_save_keeps_them(
    admin_client, orocommerce, rq, run_worker
):
    sim = orocommerce(orders=3, customers=2)
    typed = {
        "name": "Oro first store",
        "channel_active": "on",
        "admin_url": sim.admin_url,
        "auth_method": "wsse",
        "api_user": sim.api_user,
        "api_key": sim.api_key,
        "sync_interval_minutes": "0",
        "sync_priority": "remote",
        "enabled": "on",
    }
    answer = admin_client.post("/admin/integrations/integration/check/?type=orocommerce", typed).json()
    check = ConnectionCheck.objects.get(pk=answer["id"])
    assert sim.api_key not in check_row(check.pk) and redis_holds(rq, sim.api_key) == []
    run_worker()
    result = status_of(admin_client, answer)
    assert result["status"] == "succeeded", result["message"]
    units = result["choices"]["business_unit"]
    assert units[0][0] == "" and len(units) > 1
    unit_id, unit_label = units[1]
    assert result["choices"]["product_unit"] and result["choices"]["price_list"]

    data = {**typed, "business_unit": unit_id, "connection_check": str(check.pk)}
    saved = admin_client.post("/admin/integrations/integration/add/?type=orocommerce", data)
    assert saved.status_code == 302, saved.content.decode()[-2000:]
    settings = Integration.objects.get(name="Oro first store").settings
    assert settings.business_unit == unit_id and settings.business_unit_label == unit_label
    assert settings.found_choices["business_units"] and settings.checked_at is not None


@pytest.mark.django_db
def test_draft_secrets_go_when_a_check_fails_and_old_drafts_are_pruned(settings):
    import datetime

    from django.utils import timezone

    from integrations.services import connection_check_fail, history_prune

    integration = magento_integration()
    token = {"api_key": crypto.encrypt(TYPED_KEY)}
    lost = ConnectionCheck.objects.create(integration_type="magento1", draft_secrets=token, integration=integration)
    assert connection_check_fail(check_id=lost.pk, reason="Its job failed in the worker.")
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.draft_secrets == {}

    old = timezone.now() - datetime.timedelta(days=settings.OROINT_PRUNE_AFTER_DAYS + 1)
    orphan = ConnectionCheck.objects.create(integration_type="magento1", status="succeeded")
    left = ConnectionCheck.objects.create(integration=integration, status="succeeded", draft_secrets=token)
    recent = ConnectionCheck.objects.create(integration_type="magento1", status="succeeded")
    ConnectionCheck.objects.filter(pk__in=[orphan.pk, left.pk]).update(created_at=old)
    history_prune()
    assert not ConnectionCheck.objects.filter(pk=orphan.pk).exists()  # an Add form never saved
    assert ConnectionCheck.objects.get(pk=left.pk).draft_secrets == {}
    assert ConnectionCheck.objects.filter(pk=recent.pk).exists()
