"""Quarantined records can be retried once fixed: read again from the store and written."""

import pytest

from channels.models import Customer
from integrations.models import QuarantinedRecord, SyncRun
from integrations.services import quarantine_retry, quarantine_retry_request, sync_execute
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


def test_retry_from_the_admin_queues_a_job(admin_client, rq):
    integration = magento_integration()
    record = QuarantinedRecord.objects.create(integration=integration, entity="customers", remote_id="7", reason="x")
    response = admin_client.post(
        "/admin/integrations/quarantinedrecord/", {"action": "retry", "_selected_action": [record.pk]}, follow=True
    )
    assert "Retry of 1 record(s) queued" in response.content.decode()
    assert rq.llen("rq:queue:default") == 1
    assert quarantine_retry_request(records=[]) is not None
