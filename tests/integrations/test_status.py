"""What the integrations list, the integration page and the run pages say: each health state, the list's
columns (without a query per row), "Succeeded with N errors", and ended runs with nothing running."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integrations import health
from integrations.engine.run import finish_run
from integrations.models import ConnectionCheck, QuarantinedRecord, SyncRun, SyncRunEntity
from integrations.services import sync_cancel, sync_schedule
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db

LIST = "/admin/integrations/integration/"


def finished(integration, status, *, failed=0, minutes_ago=0, read=10):
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    run = SyncRun.objects.create(integration=integration, status=status, finished_at=at, started_at=at, message="m")
    SyncRun.objects.filter(pk=run.pk).update(created_at=at)
    SyncRunEntity.objects.create(run=run, entity="customers", status="succeeded", read=read, failed=failed)
    return SyncRun.objects.get(pk=run.pk)


def checked(integration, status, minutes_ago=0):
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return ConnectionCheck.objects.create(
        integration=integration, status=status, finished_at=at, message="Connection refused (port 9)"
    )


def badge_of(integration):
    integration = type(integration).objects.get(pk=integration.pk)
    return health.health(integration)


def test_never_synced_then_ok():
    integration = magento_integration()
    assert badge_of(integration).label == "Never synced"
    finished(integration, SyncRun.Status.SUCCEEDED)
    assert badge_of(integration) == health.Badge("OK", "ok")


def test_a_failed_check_says_not_connected_until_a_later_sync_succeeds():
    integration = magento_integration()
    finished(integration, SyncRun.Status.SUCCEEDED, minutes_ago=10)
    checked(integration, ConnectionCheck.Status.FAILED, minutes_ago=5)
    badge = badge_of(integration)
    assert (badge.label, badge.css) == ("Not connected", "failed") and "refused" in badge.title
    finished(integration, SyncRun.Status.SUCCEEDED, minutes_ago=0)
    assert badge_of(integration).label == "OK"


def test_last_sync_failed_and_succeeded_with_errors():
    integration = magento_integration()
    finished(integration, SyncRun.Status.SUCCEEDED, minutes_ago=3)
    finished(integration, SyncRun.Status.FAILED, minutes_ago=2)
    assert badge_of(integration).label == "Last sync failed"
    # A canceled run says nothing about the store: the failure before it still stands.
    finished(integration, SyncRun.Status.CANCELED, minutes_ago=1)
    assert badge_of(integration).label == "Last sync failed"
    finished(integration, SyncRun.Status.SUCCEEDED, failed=3)
    assert badge_of(integration) == health.Badge(
        "Succeeded with 3 errors", "errors", "Records it could not write are in the quarantine."
    )


def test_the_list_shows_connection_last_run_quarantine_and_next_sync(admin_client):
    scheduled = magento_integration(name="Scheduled", sync_interval_minutes=30)
    run = finished(scheduled, SyncRun.Status.SUCCEEDED, failed=1, minutes_ago=10)
    checked(scheduled, ConnectionCheck.Status.SUCCEEDED, minutes_ago=11)
    QuarantinedRecord.objects.create(integration=scheduled, run=run, entity="customers", remote_id="7", reason="x")
    QuarantinedRecord.objects.create(
        integration=scheduled, entity="customers", remote_id="8", reason="x", resolved_at=timezone.now()
    )
    magento_integration(name="Manual only", sync_interval_minutes=0)

    page = admin_client.get(LIST).content.decode()
    assert "integrations/admin.css" in page, "the list loads the badges' stylesheet"
    rows = {name: page[page.index(f">{name}<") :] for name in ("Scheduled", "Manual only")}
    scheduled_row = rows["Scheduled"][: rows["Scheduled"].index("</tr>")]
    manual_row = rows["Manual only"][: rows["Manual only"].index("</tr>")]
    assert "Connected" in scheduled_row and "Succeeded with 1 error" in scheduled_row
    assert "resolved_at__isempty=1" in scheduled_row and ">1</a>" in scheduled_row  # the open one only
    due = timezone.localtime(run.created_at + datetime.timedelta(minutes=30))
    assert f'title="{due:%Y-%m-%d %H:%M} UTC">in 19 min' in scheduled_row or ">in 20 min" in scheduled_row
    assert "Never checked" in manual_row and "Never synced" in manual_row and ">off<" in manual_row
    assert "never" in manual_row


def test_next_sync_waits_for_an_active_run_and_is_off_when_disabled():
    integration = magento_integration(sync_interval_minutes=5)
    assert health.next_sync(integration) == "due now"
    SyncRun.objects.create(integration=integration, status=SyncRun.Status.RUNNING)
    integration = type(integration).objects.get(pk=integration.pk)
    assert health.next_sync(integration) == "after the current run"
    integration.enabled = False
    assert health.next_sync(integration) == "off"


def test_the_list_reads_the_same_number_of_queries_for_one_or_many_integrations(admin_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert admin_client.get(LIST).status_code == 200
        return len(seen)

    first = magento_integration(name="One")
    finished(first, SyncRun.Status.SUCCEEDED, failed=1)
    checked(first, ConnectionCheck.Status.FAILED)
    one = queries()
    for n in range(4):
        other = magento_integration(name=f"Other {n}")
        finished(other, SyncRun.Status.FAILED)
        checked(other, ConnectionCheck.Status.SUCCEEDED)
    assert queries() == one


def test_a_run_with_errors_says_so_on_its_page_in_the_run_list_and_in_the_history(admin_client):
    integration = magento_integration()
    run = finished(integration, SyncRun.Status.SUCCEEDED, failed=2)
    run_page = admin_client.get(reverse("admin:integrations_syncrun_change", args=[run.pk])).content.decode()
    assert 'class="oroint-badge oroint-errors">Succeeded with 2 errors<' in run_page
    runs = admin_client.get("/admin/integrations/syncrun/").content.decode()
    assert "Succeeded with 2 errors" in runs and "integrations/admin.css" in runs
    integration_page = admin_client.get(reverse("admin:integrations_integration_change", args=[integration.pk]))
    assert "Succeeded with 2 errors" in integration_page.content.decode()
    status = admin_client.get(reverse("admin:integrations_syncrun_status", args=[run.pk])).json()
    assert (status["status_display"], status["status_css"], status["errors"]) == (
        "Succeeded with 2 errors",
        "errors",
        2,
    )


def test_the_run_list_reads_no_query_per_run(admin_client):
    integration = magento_integration()

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert admin_client.get("/admin/integrations/syncrun/").status_code == 200
        return len(seen)

    finished(integration, SyncRun.Status.SUCCEEDED, failed=1)
    one = queries()
    for _ in range(5):
        finished(integration, SyncRun.Status.SUCCEEDED, failed=1)
    assert queries() == one


def test_a_failed_run_leaves_no_entity_running_or_waiting(rq):
    run = SyncRun.objects.create(integration=magento_integration(), status=SyncRun.Status.RUNNING)
    SyncRunEntity.objects.create(run=run, entity="customers", status="succeeded", position=0)
    SyncRunEntity.objects.create(run=run, entity="orders", status="running", position=1, message="")
    SyncRunEntity.objects.create(run=run, entity="memos", status="pending", position=2)
    assert finish_run(run, SyncRun.Status.FAILED, "The store went away")
    statuses = dict(run.entities.values_list("entity", "status"))
    assert statuses == {"customers": "succeeded", "orders": "failed", "memos": "failed"}
    assert run.entities.get(entity="memos").message == "Not finished: the run failed."


def test_a_canceled_run_shows_its_entities_canceled_and_no_phase(admin_client, rq):
    run = sync_schedule(integration=magento_integration())
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING, current_entity="orders")
    SyncRunEntity.objects.create(run=run, entity="orders", status="running", read=40)
    assert sync_cancel(run=run)
    status = admin_client.get(reverse("admin:integrations_syncrun_status", args=[run.pk])).json()
    assert status["status"] == "canceled" and status["phase"] == "" and status["current_entity"] == ""
    assert [(e["status_key"], e["status"]) for e in status["entities"]] == [("canceled", "Canceled")]
    page = admin_client.get(reverse("admin:integrations_syncrun_change", args=[run.pk])).content.decode()
    assert "Waiting for a worker" not in page and ">Running<" not in page


def test_a_queued_run_waits_for_a_worker_and_says_nothing_else(admin_client, rq):
    run = sync_schedule(integration=magento_integration())
    status = admin_client.get(reverse("admin:integrations_syncrun_status", args=[run.pk])).json()
    assert status["phase"] == "Waiting for a worker…" and status["status_display"] == "Queued"
    page = admin_client.get(reverse("admin:integrations_syncrun_change", args=[run.pk])).content.decode()
    assert page.count("Waiting for a worker") == 2  # the phase line and the empty entity table, nothing running
    assert 'role="progressbar"' in page and 'aria-live="polite"' in page


def test_progress_counts_records_with_totals_where_known(admin_client):
    started = timezone.now() - datetime.timedelta(seconds=100)
    run = SyncRun.objects.create(
        integration=magento_integration(), status=SyncRun.Status.RUNNING, started_at=started, current_entity="orders"
    )
    SyncRunEntity.objects.create(run=run, entity="websites", status="succeeded", read=2, total=2, position=0)
    SyncRunEntity.objects.create(
        run=run, entity="customers", status="running", read=500, total=1000, started_at=started, position=1
    )
    SyncRunEntity.objects.create(run=run, entity="orders", status="running", read=300, started_at=started, position=2)
    status = admin_client.get(reverse("admin:integrations_syncrun_status", args=[run.pk])).json()
    assert status["phase"] == "Reading orders"
    assert status["records"]["read"] == 802 and status["records"]["total"] is None
    assert status["records"]["shown"]["records"] == "802 read, total unknown"
    websites, customers, orders = status["entities"]
    assert websites["progress"]["shown"]["records"] == "2 of 2" and websites["progress"]["shown"]["eta"] == "—"
    assert customers["progress"]["shown"]["total"] == "1,000"
    assert 4.9 <= customers["progress"]["rate"] <= 5.1  # 500 records in 100 s
    assert 95 <= customers["progress"]["eta_seconds"] <= 105 and "min" in customers["progress"]["shown"]["eta"]
    assert orders["progress"]["shown"]["total"] == "unknown" and orders["progress"]["shown"]["eta"] == "unknown"
    assert orders["progress"]["shown"]["rate"].endswith("records/s")
    page = admin_client.get(reverse("admin:integrations_syncrun_change", args=[run.pk])).content.decode()
    assert "802 read, total unknown" in page and "1,000" in page

    SyncRunEntity.objects.filter(entity="orders").update(total=300)
    status = admin_client.get(reverse("admin:integrations_syncrun_status", args=[run.pk])).json()
    assert status["records"]["shown"]["records"] == "802 of 1,302"


def test_the_run_history_polls_while_a_run_is_active(admin_client, client, django_user_model, rq):
    integration = magento_integration()
    url = reverse("admin:integrations_syncrun_runhistory", args=[integration.pk])
    run = sync_schedule(integration=integration)
    fragment = admin_client.get(url).content.decode()
    assert 'data-active="1"' in fragment and f"history-run-{run.pk}" in fragment and ">Queued<" in fragment
    integration_page = admin_client.get(reverse("admin:integrations_integration_change", args=[integration.pk]))
    assert f'data-url="{url}"' in integration_page.content.decode()
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())
    fragment = admin_client.get(url).content.decode()
    assert 'data-active="0"' in fragment and ">Succeeded<" in fragment

    stranger = django_user_model.objects.create_user("stranger", password="pw", is_staff=True)
    client.force_login(stranger)
    assert client.get(url).status_code == 403


def test_the_bar_says_what_it_measures():
    from integrations import progress

    running = SyncRun(status=SyncRun.Status.RUNNING, progress=42.9)
    entities = [
        SyncRunEntity(entity="websites", status=SyncRunEntity.Status.SUCCEEDED),
        SyncRunEntity(entity="customers", status=SyncRunEntity.Status.RUNNING),
        SyncRunEntity(entity="orders", status=SyncRunEntity.Status.PENDING),
    ]
    # No total from the store: the bar is the entities done, and says so (never "42.9 %" of records).
    assert progress.bar(running, entities, {"percent": None}) == {"percent": 42.9, "label": "(1 of 3 entities done)"}
    # Every total known: the records read of them, below 100 until the run has ended.
    assert progress.bar(running, entities, {"percent": 37.5}) == {"percent": 37.5, "label": "(37.5 % of the records)"}
    assert progress.bar(running, entities, {"percent": 100.0})["percent"] == 99.9
    done = SyncRun(status=SyncRun.Status.SUCCEEDED, progress=100.0)
    assert progress.bar(done, entities, {"percent": 100.0}) == {"percent": 100.0, "label": "(100.0 % of the records)"}
