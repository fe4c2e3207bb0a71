"""A failed sync tells the integration's owner once per failure streak."""

import pytest
from django.core import mail
from django.utils import timezone

from integrations.alerts import integration_is_failing, run_failed_alert
from integrations.models import SyncRun
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


def finished(integration, status):
    return SyncRun.objects.create(integration=integration, status=status, finished_at=timezone.now(), message="boom")


def test_owner_is_emailed_once_per_failure_streak(django_user_model):
    owner = django_user_model.objects.create_user("owner", email="owner@example.com")
    integration = magento_integration(owner=owner)
    assert run_failed_alert(run=finished(integration, SyncRun.Status.FAILED))
    assert not run_failed_alert(run=finished(integration, SyncRun.Status.FAILED))
    assert len(mail.outbox) == 1
    assert "failed" in mail.outbox[0].subject and mail.outbox[0].to == ["owner@example.com"]
    assert integration_is_failing(integration)

    finished(integration, SyncRun.Status.SUCCEEDED)
    assert not integration_is_failing(integration)
    assert run_failed_alert(run=finished(integration, SyncRun.Status.FAILED))
    assert len(mail.outbox) == 2


def test_failing_badge_in_the_admin(admin_client):
    integration = magento_integration()
    finished(integration, SyncRun.Status.FAILED)
    page = admin_client.get("/admin/integrations/integration/")
    assert "Last sync failed" in page.content.decode()


def test_the_failure_mail_links_absolutely_to_the_run_and_the_integration(django_user_model, settings):
    settings.OROINT_SITE_URL = "https://backoffice.example.test"
    owner = django_user_model.objects.create_user("owner", email="owner@example.com")
    integration = magento_integration(owner=owner)
    run = finished(integration, SyncRun.Status.FAILED)
    assert run_failed_alert(run=run)
    body = mail.outbox[0].body
    assert f"https://backoffice.example.test/admin/integrations/syncrun/{run.pk}/change/" in body
    assert f"https://backoffice.example.test/admin/integrations/integration/{integration.pk}/change/" in body
    links = [word for word in body.split() if "/admin/" in word]
    assert links and all(link.startswith("https://backoffice.example.test/admin/") for link in links)
