"""Quarantined records can be retried once fixed: read again from the store and written."""

import django_rq
import pytest
from rq.job import Job

from channels.models import Customer
from integrations.models import QuarantinedRecord, SyncRun
from integrations.services import quarantine_retry, sync_execute
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db(transaction=True)


def test_retry_resolves_what_now_maps_and_keeps_what_does_not(magento, rq):
    sim = magento(customers=30, orders=40, extra=("--malformed", "3"))
    integration = magento_integration(url=sim.wsdl_url)
    run = sync_execute(run_id=SyncRun.objects.create(integration=integration).pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    still_bad = QuarantinedRecord.objects.filter(integration=integration, entity="customers").first()
    assert still_bad is not None

    # A record that failed once for a reason since fixed (here: it was never written) ...
    fixed = Customer.objects.filter(integration=integration, is_guest=False).first()
    fixed_id = fixed.remote_id
    fixed.delete()
    was_fixed = QuarantinedRecord.objects.create(
        integration=integration, entity="customers", remote_id=str(fixed_id), reason="was refused"
    )
    # ... and one the store no longer has.
    gone = QuarantinedRecord.objects.create(
        integration=integration, entity="customers", remote_id="999999", reason="was refused"
    )

    outcome = quarantine_retry(record_ids=[still_bad.pk, was_fixed.pk, gone.pk])
    assert outcome == {"resolved": 1, "still_failing": 1, "gone": 1, "pushes_queued": 0}
    assert Customer.objects.filter(integration=integration, remote_id=fixed_id).exists()
    for record in (still_bad, was_fixed, gone):
        record.refresh_from_db()
    assert was_fixed.resolved_at and gone.resolved_at and "no longer in the remote system" in gone.reason
    assert still_bad.resolved_at is None and still_bad.reason and still_bad.payload


def test_retry_from_the_admin_runs_on_a_worker_and_resolves_the_record(admin_client, magento, run_worker):
    sim = magento(customers=10, orders=10)
    integration = magento_integration(url=sim.wsdl_url)
    run = sync_execute(run_id=SyncRun.objects.create(integration=integration).pk)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    # A customer that was refused once and can be written now.
    fixed = Customer.objects.filter(integration=integration, is_guest=False).first()
    fixed_id = fixed.remote_id
    fixed.delete()
    record = QuarantinedRecord.objects.create(
        integration=integration, entity="customers", remote_id=str(fixed_id), reason="was refused"
    )

    response = admin_client.post(
        "/admin/integrations/quarantinedrecord/",
        {"action": "retry", "_selected_action": [record.pk]},
        follow=True,
    )

    assert "Retry of 1 record(s) queued" in response.content.decode()
    queue = django_rq.get_queue("default")
    (job,) = queue.get_jobs()
    assert job.func_name == "integrations.jobs.quarantine_retry_job"
    assert job.args == ([record.pk],)
    assert not Customer.objects.filter(integration=integration, remote_id=fixed_id).exists()

    run_worker()

    assert queue.count == 0
    outcome = Job.fetch(job.id, connection=queue.connection).return_value()
    assert (outcome["resolved"], outcome["still_failing"], outcome["gone"]) == (1, 0, 0)
    record.refresh_from_db()
    assert record.resolved_at is not None
    assert Customer.objects.filter(integration=integration, remote_id=fixed_id).exists()
