"""Every queued run and check reaches a final state with its reason, whatever broke: the database, Redis."""

import datetime
import subprocess

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rq.job import Job, JobStatus

from integrations import jobs, services
from integrations.models import ConnectionCheck, QuarantinedRecord, SyncRun
from tests.conftest import ROOT, _manage, free_port, wait_for, worker_env
from tests.factories import magento_integration
from tests.integrations.test_admin import form_data

pytestmark = pytest.mark.django_db(transaction=True)


def unreachable_database_url(tmp_path) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path}/no-such-directory/oroint.sqlite3"
    return f"postgres://oroint@127.0.0.1:{free_port()}/oroint"  # nothing listens there


def run_worker_without_database(redis_url: str, tmp_path) -> str:
    """A real worker whose database does not answer takes every queued job, then stops; its log."""
    env = {**worker_env(redis_url), "DATABASE_URL": unreachable_database_url(tmp_path)}
    log = tmp_path / "worker-without-database.log"
    with log.open("wb") as out:
        subprocess.run(
            _manage("rqworker", *settings.RQ_QUEUES, "--burst"),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=120,
            cwd=ROOT,
        )
    return log.read_text()


def job_status(job_id: str, rq) -> JobStatus:
    return Job.fetch(job_id, connection=rq).get_status()


def test_a_job_that_cannot_reach_the_database_ends_its_run_and_check_by_itself(rq, redis_url, tmp_path, start_worker):
    integration = magento_integration("Shop")
    run = services.sync_schedule(integration=integration)
    check = services.connection_check_request(integration=integration)

    log = run_worker_without_database(redis_url, tmp_path)

    # The jobs failed where nothing could write it down: the rows still say queued.
    assert job_status(run.job_id, rq) == JobStatus.FAILED, log[-3000:]
    assert job_status(f"check-{check.pk}", rq) == JobStatus.FAILED
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.QUEUED
    # The database is back for the next worker: without any scheduler, it ends both.
    start_worker()
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).is_finished, timeout=60, message="the run to be failed")
    wait_for(lambda: ConnectionCheck.objects.get(pk=check.pk).is_finished, timeout=60, message="the check to end")
    run.refresh_from_db()
    check.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    assert "Its job failed in the worker: OperationalError" in run.message and "Run again" in run.message
    assert check.status == ConnectionCheck.Status.FAILED
    assert "OperationalError" in check.message and "Check Connection again" in check.message
    assert services.sync_schedule(integration=integration).status == SyncRun.Status.QUEUED


def test_schedule_sync_after_such_a_job_is_accepted(admin_client, rq, redis_url, tmp_path):
    integration = magento_integration("Shop")
    stuck = services.sync_schedule(integration=integration)
    run_worker_without_database(redis_url, tmp_path)

    response = admin_client.post(reverse("admin:integrations_integration_sync", args=[integration.pk]), follow=True)

    assert "A sync job has been added to the queue" in response.content.decode()
    stuck.refresh_from_db()
    assert stuck.status == SyncRun.Status.FAILED and "OperationalError" in stuck.message
    assert SyncRun.objects.filter(integration=integration, status=SyncRun.Status.QUEUED).count() == 1


def test_the_failure_callback_fails_the_run_at_once_and_tells_the_owner(rq, mailoutbox, django_user_model):
    from django.db import OperationalError

    owner = django_user_model.objects.create_user("owner", email="owner@example.test")
    integration = magento_integration("Shop", owner=owner)
    run = services.sync_schedule(integration=integration)
    job = Job.fetch(run.job_id, connection=rq)
    assert job.failure_callback is jobs.sync_job_failed
    error = OperationalError('connection to "postgres://oroint:pw@db:5432/oroint" failed: Connection refused')

    jobs.sync_job_failed(job, rq, OperationalError, error, None)

    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    assert "OperationalError: connection to" in run.message and "pw@" not in run.message
    assert [m.to for m in mailoutbox] == [["owner@example.test"]]


# -- Redis full or gone ------------------------------------------------------------------------------


@pytest.fixture
def full_redis(rq):
    """The test Redis with no memory left: it refuses every write, as a full production Redis does."""
    before = rq.config_get("maxmemory*")
    rq.config_set("maxmemory-policy", "noeviction")
    rq.config_set("maxmemory", "1")
    yield rq
    rq.config_set("maxmemory", before["maxmemory"])
    rq.config_set("maxmemory-policy", before["maxmemory-policy"])


def test_a_full_redis_gets_a_message_and_leaves_nothing_queued(admin_client, full_redis):
    integration = magento_integration("Shop")
    failed = SyncRun.objects.create(integration=integration, status=SyncRun.Status.FAILED)
    record = QuarantinedRecord.objects.create(integration=integration, entity="customers", remote_id="7", reason="x")
    pages = [
        reverse("admin:integrations_integration_sync", args=[integration.pk]),
        reverse("admin:integrations_syncrun_requeue", args=[failed.pk]),
    ]
    # Check Connection posts the form's values and reads its answer in the page.
    values = form_data(name="Shop", api_url=integration.settings.api_url, api_key="", sync_start_date="2000-01-01")
    check = admin_client.post(reverse("admin:integrations_integration_check", args=[integration.pk]), values)
    assert check.status_code == 503 and "free memory in Redis or raise its maxmemory" in check.json()["message"]
    for page in pages:
        response = admin_client.post(page, follow=True)
        assert response.status_code == 200, page
        text = response.content.decode()
        assert "refused the job (command not allowed when used memory" in text, text[text.find("messagelist") :][:600]
        assert "free memory in Redis or raise its maxmemory" in text
    response = admin_client.post(
        reverse("admin:integrations_quarantinedrecord_changelist"),
        {"action": "retry", "_selected_action": [record.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "refused the job" in response.content.decode()
    assert list(SyncRun.objects.values_list("pk", flat=True)) == [failed.pk]
    assert not ConnectionCheck.objects.exists()


# -- Checks that nothing will end ----------------------------------------------------------------------


def test_checks_whose_job_was_lost_or_that_ran_out_of_time_are_failed(rq, settings):
    integration = magento_integration("Shop")
    stale = timezone.now() - datetime.timedelta(seconds=settings.OROINT_SYNC["STALE_AFTER_SECONDS"] + 5)
    lost = ConnectionCheck.objects.create(integration=integration)  # no job was ever queued for it
    ConnectionCheck.objects.filter(pk=lost.pk).update(created_at=stale)
    late = services.connection_check_request(integration=integration)
    ConnectionCheck.objects.filter(pk=late.pk).update(
        status=ConnectionCheck.Status.RUNNING, created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    fresh = services.connection_check_request(integration=integration)

    assert services.stale_sweep() == {"runs": 0, "checks": 2}

    lost.refresh_from_db()
    late.refresh_from_db()
    assert lost.status == ConnectionCheck.Status.FAILED and "The queued job was lost" in lost.message
    assert late.status == ConnectionCheck.Status.FAILED and "did not end in time" in late.message
    assert job_status(f"check-{late.pk}", rq) == JobStatus.CANCELED
    assert ConnectionCheck.objects.get(pk=fresh.pk).status == ConnectionCheck.Status.QUEUED
