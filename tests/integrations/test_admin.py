"""The integration pages: the settings form, the buttons and the progress page."""

import pytest
from django.urls import reverse

from integrations.models import ConnectionCheck, Integration, SyncRun
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/integrations/integration/add/?type=magento1"


def form_data(**overrides):
    data = {
        "name": "Ann's store",
        "api_url": "https://shop.example.com/api/v2_soap/?wsdl=1",
        "api_user": "oro",
        "api_key": "s3cret-key-value",
        "mode": "auto",
        "guest_customer_sync": "on",
        "sync_start_date": "2007-01-01",
        "website_id": "-1",
        "import_order_notes": "on",
        "sync_priority": "remote",
        "sync_interval_minutes": "0",
        "enabled": "on",
        "channel_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_add_creates_channel_and_integration_with_defaults(admin_client, admin_user):
    page = admin_client.get(ADD_URL)
    assert page.status_code == 200
    assert b"SOAP WSDL URL" in page.content and b"Split by full name" in page.content
    response = admin_client.post(ADD_URL, form_data())
    assert response.status_code == 302, response.content.decode()[-2000:]
    integration = Integration.objects.get()
    assert integration.channel.name == "Ann's store" and integration.channel.owner == admin_user
    assert integration.default_owner == admin_user
    assert integration.settings.api_key == "s3cret-key-value"
    assert integration.settings.guest_customer_sync and integration.settings.import_order_notes


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"api_url": "ftp://shop.example.com/wsdl"}, "Enter an http:// or https:// URL."),
        ({"api_url": "not a url"}, "Enter an http:// or https:// URL."),
        ({"api_key": ""}, "This field is required."),
        ({"api_user": ""}, "This field is required."),
        ({"shared_guest_emails": "a@example.com; not-an-email"}, "Not an email address: not-an-email"),
        ({"sync_start_date": "someday"}, "Enter a valid date."),
        ({"website_id": "7"}, "Select a valid choice."),
    ],
)
def test_every_field_is_validated_with_a_clear_message(admin_client, overrides, message):
    response = admin_client.post(ADD_URL, form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Integration.objects.exists()


def test_key_left_blank_keeps_the_stored_key(admin_client):
    integration = magento_integration(api_key="s3cret-key-value")
    url = reverse("admin:integrations_integration_change", args=[integration.pk])
    data = form_data(
        api_key="", name=integration.name, sync_start_date="2000-01-01", api_url=integration.settings.api_url
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    integration.refresh_from_db()
    assert integration.settings.api_key == "s3cret-key-value"


def test_sync_start_date_can_only_move_earlier(admin_client):
    integration = magento_integration(sync_start_date="2010-01-01")
    url = reverse("admin:integrations_integration_change", args=[integration.pk])
    later = admin_client.post(url, form_data(name=integration.name, sync_start_date="2011-01-01"))
    assert "New date should be less or equals than previously defined" in later.content.decode()
    earlier = admin_client.post(url, form_data(name=integration.name, sync_start_date="2009-01-01"))
    assert earlier.status_code == 302


def test_website_choices_come_from_check_connection(admin_client):
    integration = magento_integration()
    integration.settings.websites = [{"id": 1, "label": "Website ID: 1, Stores: Default"}]
    integration.settings.save()
    page = admin_client.get(reverse("admin:integrations_integration_change", args=[integration.pk]))
    content = page.content.decode()
    assert "All Websites" in content and "Website ID: 1, Stores: Default" in content


def test_check_connection_button_queues_a_check(admin_client, rq):
    integration = magento_integration()
    values = form_data(
        name=integration.name, api_url=integration.settings.api_url, api_key="", sync_start_date="2000-01-01"
    )
    response = admin_client.post(reverse("admin:integrations_integration_check", args=[integration.pk]), values)
    assert response.status_code == 202
    check = ConnectionCheck.objects.get(integration=integration)
    assert check.status == ConnectionCheck.Status.QUEUED
    assert rq.exists(f"rq:job:check-{check.pk}")
    status = admin_client.get(reverse("admin:integrations_integration_checkstatus", args=[integration.pk])).json()
    assert status == {"id": check.pk, "status": "queued", "finished": False, "message": ""}
    assert admin_client.get(response.json()["status_url"]).json()["status"] == "queued"
    assert admin_client.get(reverse("admin:integrations_integration_check", args=[integration.pk])).status_code == 405


def test_schedule_sync_button_says_check_progress(admin_client, rq):
    integration = magento_integration()
    url = reverse("admin:integrations_integration_sync", args=[integration.pk])
    response = admin_client.post(url, follow=True)
    run = SyncRun.objects.get(integration=integration)
    content = response.content.decode()
    assert "A sync job has been added to the queue." in content
    progress = reverse("admin:integrations_syncrun_change", args=[run.pk])
    assert f'<a href="{progress}">Check progress</a>' in content
    again = admin_client.post(url, follow=True).content.decode()
    assert "already queued" in again
    assert SyncRun.objects.filter(integration=integration).count() == 1


def test_progress_page_and_its_status(admin_client, rq):
    integration = magento_integration()
    run = SyncRun.objects.create(integration=integration, message="Working")
    page = admin_client.get(reverse("admin:integrations_syncrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert b"Sync run #" in page.content and b"Cancel run" in page.content
    status = admin_client.get(reverse("admin:integrations_syncrun_status", args=[run.pk])).json()
    assert status["status"] == "queued" and status["finished"] is False


def test_buttons_need_the_change_permission(client, django_user_model, rq):
    integration = magento_integration()
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    for name in ("integrations_integration_check", "integrations_integration_sync"):
        assert client.post(reverse(f"admin:{name}", args=[integration.pk])).status_code == 403
    assert not SyncRun.objects.exists() and not ConnectionCheck.objects.exists()


def test_a_failed_run_can_be_run_again(admin_client, rq):
    integration = magento_integration()
    failed = SyncRun.objects.create(integration=integration, status=SyncRun.Status.FAILED, message="boom")
    page = admin_client.get(reverse("admin:integrations_syncrun_change", args=[failed.pk]))
    assert b"Run again" in page.content and b"Cancel run" not in page.content
    response = admin_client.post(reverse("admin:integrations_syncrun_requeue", args=[failed.pk]))
    new = SyncRun.objects.exclude(pk=failed.pk).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{new.pk}/change/")
    assert new.status == SyncRun.Status.QUEUED


def test_cancel_from_the_progress_page(admin_client, rq):
    from integrations.services import sync_schedule

    run = sync_schedule(integration=magento_integration())
    admin_client.post(reverse("admin:integrations_syncrun_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == SyncRun.Status.CANCELED


def test_progress_shows_the_checkpoint_each_entity_reached(admin_client):
    from integrations.models import SyncRunEntity

    run = SyncRun.objects.create(integration=magento_integration(), status=SyncRun.Status.SUCCEEDED)
    SyncRunEntity.objects.create(
        run=run, entity="orders", read=5, checkpoint={"since": "2026-11-29 10:00:00", "until": None, "after_id": None}
    )
    status = admin_client.get(reverse("admin:integrations_syncrun_status", args=[run.pk])).json()
    assert status["entities"][0]["checkpoint"] == "complete; next run from 2026-11-29 10:00:00"
    page = admin_client.get(reverse("admin:integrations_syncrun_change", args=[run.pk])).content.decode()
    assert "complete; next run from 2026-11-29 10:00:00" in page


def test_add_asks_for_the_type_first_and_shows_that_types_settings(admin_client, tmp_path):
    chooser = admin_client.get("/admin/integrations/integration/add/")
    content = chooser.content.decode()
    assert "choose its type" in content
    assert '?type=magento1">Magento 1 (SOAP v2)' in content and '?type=fake">Fake (tests only)' in content
    fake_form = admin_client.get("/admin/integrations/integration/add/?type=fake").content.decode()
    assert 'name="remote_path"' in fake_form and 'name="api_url"' not in fake_form
    created = admin_client.post(
        "/admin/integrations/integration/add/?type=fake",
        {
            "name": "Fake shop",
            "channel_active": "on",
            "remote_path": str(tmp_path / "remote.json"),
            "page_size": "5",
            "sync_interval_minutes": "0",
            "sync_priority": "remote",
            "enabled": "on",
        },
    )
    assert created.status_code == 302, created.content.decode()[-2000:]
    integration = Integration.objects.get(name="Fake shop")
    assert integration.integration_type == "fake" and integration.channel.channel_type == "fake"
    assert integration.settings.page_size == 5


def test_two_way_sync_says_it_is_not_built_yet(admin_client):
    integration = magento_integration()
    page = admin_client.get(reverse("admin:integrations_integration_change", args=[integration.pk])).content.decode()
    assert "Not built yet: local edits are not sent back" in page
    assert "Order comments are always imported as notes and shown on their order." in page
