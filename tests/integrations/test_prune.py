"""Old run logs and resolved quarantine records are pruned; the runs themselves stay."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from integrations.models import QuarantinedRecord, SyncRun
from integrations.services import history_prune
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def history():
    integration = magento_integration()
    runs = {}
    for name, finished in (("old", days_ago(100)), ("recent", days_ago(10))):
        runs[name] = SyncRun.objects.create(
            integration=integration, status=SyncRun.Status.SUCCEEDED, finished_at=finished, log=f"{name} log\n"
        )
    runs["running"] = SyncRun.objects.create(integration=integration, status=SyncRun.Status.RUNNING, log="live\n")
    SyncRun.objects.filter(pk=runs["running"].pk).update(created_at=days_ago(100))
    records = {
        name: QuarantinedRecord.objects.create(
            integration=integration, entity="customers", remote_id=name, reason="bad date", resolved_at=resolved
        )
        for name, resolved in (("old", days_ago(100)), ("recent", days_ago(10)), ("open", None))
    }
    QuarantinedRecord.objects.filter(pk=records["open"].pk).update(created_at=days_ago(100))
    return runs, records


def logs() -> dict[int, str]:
    return dict(SyncRun.objects.values_list("pk", "log"))


def test_logs_and_resolved_records_older_than_the_setting_go(history, settings):
    runs, _ = history
    settings.OROINT_PRUNE_AFTER_DAYS = 90

    assert history_prune() == {"run_logs": 1, "quarantined": 1}

    assert logs() == {runs["old"].pk: "", runs["recent"].pk: "recent log\n", runs["running"].pk: "live\n"}
    assert SyncRun.objects.get(pk=runs["old"].pk).status == SyncRun.Status.SUCCEEDED  # the run stays
    assert set(QuarantinedRecord.objects.values_list("remote_id", flat=True)) == {"recent", "open"}


def test_zero_days_prunes_nothing(history, settings):
    settings.OROINT_PRUNE_AFTER_DAYS = 0
    assert history_prune() == {"run_logs": 0, "quarantined": 0}
    assert QuarantinedRecord.objects.count() == 3


def test_the_command_takes_its_own_age(history):
    out = StringIO()
    call_command("prune_history", "--days", "5", stdout=out)
    assert "Emptied the logs of 2 run(s); deleted 2 resolved quarantine record(s)." in out.getvalue()
    assert list(QuarantinedRecord.objects.values_list("remote_id", flat=True)) == ["open"]


def test_the_scheduler_prunes_every_hour(redis_url):
    import redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=redis.Redis.from_url(redis_url))
    scheduler.load_config_from_file("oroint.cron")

    intervals = {job.func_name: job.interval for job in scheduler.get_jobs()}
    assert intervals["integrations.jobs.prune_history"] == 3600
    assert intervals["integrations.jobs.dispatch_due_syncs"] == 60
