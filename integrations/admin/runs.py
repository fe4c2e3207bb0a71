"""Run history and the progress page of one run."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from integrations import permissions, services
from integrations.models import QuarantinedRecord, SyncRun
from integrations.selectors import run_progress
from oroint.changelist import BoundedDateHierarchyChangeList


class VisibleIntegrationFilter(admin.RelatedFieldListFilter):
    """Filter by integration, offering only the integrations the user may see (never their names)."""

    def field_choices(self, field, request, model_admin):
        return [(i.pk, str(i)) for i in permissions.integrations_for(request.user, "view").order_by("name")]


class OfVisibleIntegrations:
    """Rows that belong to an integration: seen by whoever may view it, never added or edited here."""

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
    list_display = ["__str__", "integration", "direction", "status", "trigger", "progress", "created_at", "finished_at"]
    list_filter = ["direction", "status", "trigger", ("integration", VisibleIntegrationFilter)]
    list_select_related = ["integration"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
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
            "integration": run.integration,
            "can_cancel": importing
            and not run.is_finished
            and permissions.may(request.user, "change", run.integration),
            "can_requeue": importing
            and run.status in (SyncRun.Status.FAILED, SyncRun.Status.CANCELED)
            and permissions.may(request.user, "change", run.integration),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

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
    list_display = [
        "entity",
        "direction",
        "remote_id",
        "local_id",
        "integration",
        "reason",
        "run",
        "created_at",
        "resolved_at",
    ]
    list_filter = [
        "entity",
        "direction",
        ("integration", VisibleIntegrationFilter),
        ("resolved_at", admin.EmptyFieldListFilter),
    ]
    actions = ["retry"]
    search_fields = ["remote_id", "reason"]
    list_select_related = ["integration", "run"]
    readonly_fields = [
        "integration",
        "run",
        "entity",
        "direction",
        "remote_id",
        "local_id",
        "reason",
        "payload",
        "created_at",
        "resolved_at",
    ]

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
