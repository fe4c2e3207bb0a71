"""Run history, the progress page of one run, and the quarantined records with their Retry."""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from integrations import permissions, services
from integrations.models import Integration, QuarantinedRecord, SyncRun
from integrations.progress import runs_with_figures
from integrations.selectors import run_progress
from oroint import display
from oroint.changelist import BoundedDateHierarchyChangeList

HISTORY_RUNS = 20  # runs shown in an integration's run history, newest first


def run_history(integration: Integration) -> str:
    """The integration page's run history (HTML), which polls itself while one of its runs is active."""
    runs = list(integration.runs.prefetch_related("entities")[:HISTORY_RUNS])
    active = any(not run.is_finished for run in runs)
    context = {"runs": runs, "integration": integration, "active": active}
    return render_to_string("admin/integrations/integration/recent_runs.html", context)


def back_to(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back where the button was pressed (a `next` of this site), else to `fallback`."""
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target or fallback)


class VisibleIntegrationFilter(admin.RelatedFieldListFilter):
    """Filter by integration, offering only the integrations the user may see (never their names)."""

    def field_choices(self, field, request, model_admin):
        return [(i.pk, str(i)) for i in permissions.integrations_for(request.user, "view").order_by("name")]


class OfVisibleIntegrations:
    """Rows that belong to an integration: seen by whoever may view it, never added or edited here."""

    class Media:
        # The status badges of the lists are styled by the app's stylesheet.
        css = {"all": ["integrations/admin.css"]}

    def get_queryset(self, request):
        visible = permissions.integrations_for(request.user, "view")
        return super().get_queryset(request).filter(integration__in=visible)

    def get_changelist(self, request, **kwargs):
        return BoundedDateHierarchyChangeList

    def has_module_permission(self, request) -> bool:
        return permissions.may_any(request.user, "view")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return permissions.may_any(request.user, "view")
        return permissions.may(request.user, "view", obj.integration)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(SyncRun)
class SyncRunAdmin(OfVisibleIntegrations, admin.ModelAdmin):
    change_form_template = "admin/integrations/syncrun/progress.html"
    list_display = ["__str__", "integration", "direction", "outcome", "trigger", "records", "queued", "finished"]
    list_filter = ["direction", "status", "trigger", ("integration", VisibleIntegrationFilter)]
    list_select_related = ["integration"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return runs_with_figures(super().get_queryset(request))

    @admin.display(description="Status", ordering="status")
    def outcome(self, run: SyncRun) -> str:
        return format_html('<span class="oroint-badge oroint-{}">{}</span>', run.outcome_css, run.outcome)

    @admin.display(description="Records read")
    def records(self, run: SyncRun) -> str:
        return display.count(run.read_count)

    @admin.display(description="Queued", ordering="created_at")
    def queued(self, run: SyncRun) -> str:
        return display.when(run.created_at)

    @admin.display(description="Finished", ordering="finished_at")
    def finished(self, run: SyncRun) -> str:
        return display.when(run.finished_at)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "of-integration/<int:integration_id>/", wrap(self.history_view), name="integrations_syncrun_runhistory"
            ),
            path("<int:object_id>/status/", wrap(self.status_view), name="integrations_syncrun_status"),
            path("<int:object_id>/cancel/", wrap(self.cancel_view), name="integrations_syncrun_cancel"),
            path("<int:object_id>/requeue/", wrap(self.requeue_view), name="integrations_syncrun_requeue"),
            *super().get_urls(),
        ]

    def _run(self, request: HttpRequest, object_id: int) -> SyncRun:
        run = get_object_or_404(SyncRun.objects.select_related("integration"), pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return run

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self._run(request, int(object_id))
        # An export run is the pushes of local changes: nothing to cancel or run again by hand.
        importing = run.direction == SyncRun.Direction.IMPORT
        context = {
            "run": run,
            "status": run_progress(run),
            "quarantined": run.quarantined.all()[:200],
            "can_retry": permissions.may(request.user, "change", run.integration),
            "integration": run.integration,
            "can_cancel": importing
            and not run.is_finished
            and permissions.may(request.user, "change", run.integration),
            "can_requeue": importing
            and run.status in (SyncRun.Status.FAILED, SyncRun.Status.CANCELED)
            and permissions.may(request.user, "change", run.integration),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def history_view(self, request: HttpRequest, integration_id: int) -> HttpResponse:
        """The run history of an integration page, alone: what its script swaps in while a run goes on."""
        integration = get_object_or_404(Integration, pk=integration_id)
        if not permissions.may(request.user, "view", integration):
            raise PermissionDenied
        return HttpResponse(run_history(integration))

    def status_view(self, request: HttpRequest, object_id: int) -> JsonResponse:
        return JsonResponse(run_progress(self._run(request, object_id)))

    def cancel_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405)
        run = self._run(request, object_id)
        if not permissions.may(request.user, "change", run.integration):
            raise PermissionDenied
        if services.sync_cancel(run=run):
            messages.success(request, f"Run #{run.pk} canceled.")
        else:
            messages.info(request, f"Run #{run.pk} had already ended.")
        return HttpResponseRedirect(reverse("admin:integrations_syncrun_change", args=[run.pk]))

    def requeue_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Queue a new run of a failed or canceled one; it resumes from the last checkpoint."""
        if request.method != "POST":
            return HttpResponse(status=405)
        run = self._run(request, object_id)
        if not permissions.may(request.user, "change", run.integration):
            raise PermissionDenied
        try:
            new = services.sync_schedule(integration=run.integration, user=request.user)
        except services.SyncAlreadyActive as exc:
            messages.warning(request, str(exc))
            return HttpResponseRedirect(reverse("admin:integrations_syncrun_change", args=[exc.run.pk]))
        except services.QueueUnavailable as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:integrations_syncrun_change", args=[run.pk]))
        messages.success(request, f"Run #{new.pk} queued; it resumes where run #{run.pk} stopped.")
        return HttpResponseRedirect(reverse("admin:integrations_syncrun_change", args=[new.pk]))


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(OfVisibleIntegrations, admin.ModelAdmin):
    change_form_template = "admin/integrations/quarantinedrecord/change_form.html"
    list_display = [
        "record",
        "entity",
        "direction",
        "remote_id",
        "integration",
        "reason",
        "run",
        "created",
        "last_retry",
        "resolved",
    ]
    list_filter = [
        "entity",
        "direction",
        ("integration", VisibleIntegrationFilter),
        ("resolved_at", admin.EmptyFieldListFilter),
    ]
    actions = ["retry"]
    search_fields = ["label", "remote_id", "reason"]
    list_select_related = ["integration", "run"]
    readonly_fields = [
        "label",
        "integration",
        "run",
        "entity",
        "direction",
        "remote_id",
        "local_id",
        "reason",
        "created",
        "resolved",
    ]
    fields = readonly_fields

    @admin.display(description="Record", ordering="label")
    def record(self, obj: QuarantinedRecord) -> str:
        return obj.label or obj.remote_id or "(no key)"

    @admin.display(description="Quarantined", ordering="created_at")
    def created(self, obj: QuarantinedRecord) -> str:
        return display.when(obj.created_at)

    @admin.display(description="Resolved", ordering="resolved_at")
    def resolved(self, obj: QuarantinedRecord) -> str:
        return display.when(obj.resolved_at)

    @admin.display(description="Last retry", ordering="last_retry_at")
    def last_retry(self, obj: QuarantinedRecord) -> str:
        if obj.last_retry_at is None:
            return "Never retried"
        return f"{obj.last_retry_outcome} ({display.when(obj.last_retry_at)})"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/retry/", wrap(self.retry_view), name="integrations_quarantinedrecord_retry"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        context = {}
        if record is not None:
            context = {
                "record": record,
                "payload": json.dumps(record.payload, indent=2, sort_keys=True, ensure_ascii=False, default=str),
                "can_retry": record.resolved_at is None and permissions.may(request.user, "change", record.integration),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    def retry_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Retry one record from its page (or from its run's errors): the list action's job, for one."""
        if request.method != "POST":
            return HttpResponse(status=405)
        record = get_object_or_404(QuarantinedRecord.objects.select_related("integration"), pk=object_id)
        if not permissions.may(request.user, "change", record.integration):
            raise PermissionDenied
        page = reverse("admin:integrations_quarantinedrecord_change", args=[record.pk])
        if record.resolved_at is not None:
            messages.info(request, "This record is already resolved; nothing to retry.")
            return back_to(request, page)
        try:
            services.quarantine_retry_request(records=[record])
        except services.QueueUnavailable as exc:
            messages.error(request, str(exc))
            return back_to(request, page)
        messages.success(request, f"Retry of {record.label or record.remote_id} queued; its outcome shows here.")
        return back_to(request, page)

    @admin.action(description="Retry the selected records (read them again, or push them again)")
    def retry(self, request: HttpRequest, queryset) -> None:
        allowed = [
            r for r in queryset.select_related("integration") if permissions.may(request.user, "change", r.integration)
        ]
        if len(allowed) < queryset.count():
            raise PermissionDenied
        pending = [r for r in allowed if r.resolved_at is None]
        if not pending:
            self.message_user(request, "The selected records are already resolved; nothing to retry.")
            return
        try:
            services.quarantine_retry_request(records=pending)
        except services.QueueUnavailable as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        skipped = len(allowed) - len(pending)
        note = f" ({skipped} already resolved, left alone)" if skipped else ""
        self.message_user(
            request, f"Retry of {len(pending)} record(s) queued{note}; resolved ones get a resolved date."
        )
