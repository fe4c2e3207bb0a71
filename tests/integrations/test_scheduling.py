"""One run at a time per integration, enforced by the database; stale runs are detected."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import SyncRun
from integrations.services import SyncAlreadyActive, sync_cancel, sync_mark_stale, sync_schedule
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


def test_a_second_schedule_is_refused_while_one_is_queued(rq):
    integration = magento_integration()
    run = sync_schedule(integration=integration)
    assert run.status == SyncRun.Status.QUEUED and run.job_id
    with pytest.raises(SyncAlreadyActive) as refused:
        sync_schedule(integration=integration)
    assert refused.value.run.pk == run.pk
    assert SyncRun.objects.filter(integration=integration).count() == 1


def test_the_database_refuses_two_active_runs():
    integration = magento_integration()
    SyncRun.objects.create(integration=integration, status=SyncRun.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(integration=integration, status=SyncRun.Status.QUEUED)


def test_other_integrations_are_not_blocked(rq):
    sync_schedule(integration=magento_integration("One"))
    assert sync_schedule(integration=magento_integration("Two")).status == SyncRun.Status.QUEUED


def test_a_run_without_heartbeat_is_failed_and_a_new_one_can_start(rq, settings):
    integration = magento_integration()
    old = timezone.now() - datetime.timedelta(seconds=settings.OROINT_SYNC["STALE_AFTER_SECONDS"] + 5)
    stuck = SyncRun.objects.create(integration=integration, status=SyncRun.Status.RUNNING, heartbeat_at=old)
    run = sync_schedule(integration=integration)
    stuck.refresh_from_db()
    assert stuck.status == SyncRun.Status.FAILED
    assert "stopped answering" in stuck.message
    assert run.pk != stuck.pk and run.status == SyncRun.Status.QUEUED


def test_a_live_run_is_not_marked_stale():
    integration = magento_integration()
    SyncRun.objects.create(integration=integration, status=SyncRun.Status.RUNNING, heartbeat_at=timezone.now())
    assert sync_mark_stale(integration=integration) == 0


def test_cancel_a_queued_run(rq):
    integration = magento_integration()
    run = sync_schedule(integration=integration)
    assert sync_cancel(run=run)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.CANCELED
    assert not sync_cancel(run=run)
    assert sync_schedule(integration=integration).status == SyncRun.Status.QUEUED


def test_the_scheduler_queues_due_integrations_only(rq):
    from integrations.services import sync_dispatch_due

    due = magento_integration("Due", sync_interval_minutes=15)
    fresh = magento_integration("Fresh", sync_interval_minutes=15)
    manual = magento_integration("Manual", sync_interval_minutes=0)
    SyncRun.objects.create(integration=due, status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())
    SyncRun.objects.filter(integration=due).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    SyncRun.objects.create(integration=fresh, status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())
    queued = sync_dispatch_due()
    assert [r.integration for r in queued] == [due]
    assert queued[0].trigger == SyncRun.Trigger.SCHEDULE
    assert sync_dispatch_due() == [], "a queued run is not queued twice"
    assert not SyncRun.objects.filter(integration=manual).exists()


def test_the_scheduler_skips_disabled_integrations(rq):
    from integrations.services import sync_dispatch_due

    magento_integration("Off", sync_interval_minutes=5, enabled=False)
    assert sync_dispatch_due() == []


def test_sync_with_redis_down_says_so_and_leaves_no_run_behind(monkeypatch):
    from django.conf import settings
    from django.core.management import CommandError, call_command

    integration = magento_integration()
    for queue in settings.RQ_QUEUES.values():  # django_rq keeps these very dicts
        monkeypatch.setitem(queue, "URL", "redis://127.0.0.1:9/0")  # the discard port: nothing answers
    with pytest.raises(CommandError, match=r"Redis is not reachable at redis://127\.0\.0\.1:9/0"):
        call_command("integration_sync", str(integration.pk))
    assert not SyncRun.objects.filter(integration=integration).exists()


def test_new_integrations_sync_automatically_every_5_minutes_as_orocrm_cron(rq):
    from integrations.services import sync_dispatch_due

    integration = magento_integration("Defaults")
    assert integration.sync_interval_minutes == 5
    SyncRun.objects.create(integration=integration, status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())
    SyncRun.objects.filter(integration=integration).update(created_at=timezone.now() - datetime.timedelta(minutes=4))
    assert sync_dispatch_due() == []
    SyncRun.objects.filter(integration=integration).update(created_at=timezone.now() - datetime.timedelta(minutes=6))
    assert [r.integration for r in sync_dispatch_due()] == [integration]
