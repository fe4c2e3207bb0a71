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


def test_a_quarantined_record_is_named_by_its_business_key(magento):
    from integrations.engine.contracts import business_key

    assert business_key({"customer_id": "9", "email": "ann@example.com", "name": "Ann"}) == "ann@example.com"
    assert business_key({"order_id": "5", "increment_id": "100000005", "email": "x@example.com"}) == "100000005"
    bundle = {"order": {"id": "12", "attributes": {"identifier": "SO-12"}}, "lines": []}
    assert business_key(bundle) == "SO-12"
    assert business_key({"id": "3"}) == ""

    sim = magento(customers=30, orders=40, extra=("--malformed", "3"))
    integration = magento_integration(url=sim.wsdl_url)
    sync_execute(run_id=SyncRun.objects.create(integration=integration).pk)
    records = list(QuarantinedRecord.objects.filter(integration=integration))
    assert records
    for record in records:
        expected = record.payload.get("increment_id") or record.payload.get("email") or record.remote_id
        assert record.label == expected and record.label, record.payload


def test_retry_from_the_records_page_keeps_what_the_retry_did(admin_client, magento, run_worker):
    sim = magento(customers=10, orders=10)
    integration = magento_integration(url=sim.wsdl_url)
    run = sync_execute(run_id=SyncRun.objects.create(integration=integration).pk)
    fixed = Customer.objects.filter(integration=integration, is_guest=False).first()
    fixed_id, email = fixed.remote_id, fixed.email
    fixed.delete()
    record = QuarantinedRecord.objects.create(
        integration=integration,
        run=run,
        entity="customers",
        remote_id=str(fixed_id),
        label=email,
        reason="was refused",
        payload={"customer_id": str(fixed_id), "email": email, "addresses": [{"city": "Paris"}]},
    )
    page = admin_client.get(f"/admin/integrations/quarantinedrecord/{record.pk}/change/").content.decode()
    assert '<details id="payload"' in page and "  &quot;addresses&quot;: [" in page  # indented by 2, folded
    assert 'id="retry-record"' in page and "Never retried." in page
    progress = admin_client.get(f"/admin/integrations/syncrun/{run.pk}/change/").content.decode()
    assert f"/admin/integrations/quarantinedrecord/{record.pk}/retry/" in progress and f">{email}</a>" in progress

    response = admin_client.post(f"/admin/integrations/quarantinedrecord/{record.pk}/retry/")
    assert response.status_code == 302 and response["Location"].endswith(f"/{record.pk}/change/")
    record.refresh_from_db()
    assert record.last_retry_outcome == "Queued" and record.last_retry_at is not None
    run_worker()
    record.refresh_from_db()
    assert record.last_retry_outcome == "Imported" and record.resolved_at is not None
    page = admin_client.get(f"/admin/integrations/quarantinedrecord/{record.pk}/change/").content.decode()
    assert "Imported ·" in page and 'id="retry-record"' not in page


def test_a_retry_that_fails_again_says_why(magento):
    sim = magento(customers=30, orders=40, extra=("--malformed", "3"))
    integration = magento_integration(url=sim.wsdl_url)
    sync_execute(run_id=SyncRun.objects.create(integration=integration).pk)
    still_bad = QuarantinedRecord.objects.filter(integration=integration, entity="customers").first()
    quarantine_retry(record_ids=[still_bad.pk])
    still_bad.refresh_from_db()
    assert still_bad.last_retry_outcome.startswith("Failed again: ") and still_bad.resolved_at is None
    assert still_bad.reason in still_bad.last_retry_outcome
