"""The integration page: settings, Check Connection, Schedule Sync and the run history."""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from integrations import crypto, health, permissions, selectors, services
from integrations.admin.deletion import CountedDeletionMixin
from integrations.admin.forms import IntegrationForm, check_settings_form, checked_choices, secret_fields
from integrations.admin.runs import run_history
from integrations.engine import registry
from integrations.models import ConnectionCheck, Integration, SyncRun
from oroint import display
from oroint.changelist import BoundedDateHierarchyChangeList


def prefetch_type_settings(integrations: Iterable[Integration]) -> None:
    """Read the type settings of many integrations in one query per type (the list's health column)."""
    by_type: dict[str, list[Integration]] = defaultdict(list)
    for integration in integrations:
        by_type[integration.integration_type].append(integration)
    for type_key, group in by_type.items():
        try:
            model = registry.connector_class(type_key).settings_model
        except LookupError:
            continue
        if model is not None:
            prefetch_related_objects(group, model._meta.get_field("integration").remote_field.get_accessor_name())


class IntegrationChangeList(BoundedDateHierarchyChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        prefetch_type_settings(self.result_list)
        health.attach_health(self.result_list)


@admin.register(Integration)
class IntegrationAdmin(CountedDeletionMixin, admin.ModelAdmin):
    form = IntegrationForm
    change_form_template = "admin/integrations/integration/change_form.html"
    # What fits at 1440 px beside the navigation and the filters: the type and "enabled" are filters (and
    # a disabled one's next sync says "off"), the channel is named as its integration and on its page.
    list_display = ["name", "health", "connection", "last_run", "open_quarantined", "next_sync"]
    list_filter = ["integration_type", "enabled"]
    search_fields = ["name", "channel__name"]
    list_select_related = ["channel"]
    readonly_fields = ["health", "detected", "recent_runs"]
    save_on_top = True  # Save before the long settings, early in the tab order

    class Media:
        # The badges of the list are styled by the app's stylesheet (the stock list does not load it).
        css = {"all": ["integrations/admin.css"]}

    general = (None, {"fields": ["name", "channel_active", "channel_owner", "enabled", "health"]})
    checked = ("Found by Check Connection", {"fields": ["detected"]})
    schedule = ("Schedule", {"fields": ["default_owner", "sync_interval_minutes"]})
    two_way = ("Two way sync", {"fields": ["two_way_sync", "sync_priority"]})
    history = ("Run history", {"fields": ["recent_runs"]})

    def get_queryset(self, request):
        return permissions.integrations_for(request.user, "view", super().get_queryset(request))

    def has_module_permission(self, request) -> bool:
        return permissions.may_any(request.user, "view")

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return permissions.may_any(request.user, "view")
        return permissions.may(request.user, "view", obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return permissions.may_any(request.user, "change")
        return permissions.may(request.user, "change", obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Whoever may delete the integration deletes what it brought in (see admin/deletion.py).
        if obj is None:
            return permissions.may_any(request.user, "delete")
        return permissions.may(request.user, "delete", obj)

    def delete_model(self, request, obj: Integration) -> None:
        services.integration_delete(integration=obj)

    def delete_queryset(self, request, queryset) -> None:
        for integration in queryset:
            services.integration_delete(integration=integration)

    def get_changelist(self, request, **kwargs):
        return IntegrationChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        for integration in getattr(changelist, "result_list", ()):
            problem = services.integration_secret_problem(integration=integration)
            if problem is not None:
                messages.error(request, problem)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            integration = self.get_object(request, unquote(object_id))
            problem = integration and services.integration_secret_problem(integration=integration)
            if problem:
                messages.error(request, problem)
            pushes = integration is not None and bool(integration.connector_class.sink_classes)
            extra_context = {**(extra_context or {}), "can_reconcile": pushes}
        return super().change_view(request, object_id, form_url, extra_context)

    def __getattr__(self, name: str):
        """A view-only page shows the type's settings read-only: Django looks each one up on the
        admin when the integration has no such attribute, and the value lives on its settings."""
        if name.startswith("_"):
            raise AttributeError(name)
        for connector in registry.types().values():
            model = connector.settings_model
            if model is not None and name in {f.name for f in model._meta.concrete_fields}:
                field = model._meta.get_field(name)

                def shown(obj: Integration, name=name):
                    found = obj.settings
                    return getattr(found, name, None) if found is not None else None

                shown.short_description = field.verbose_name
                return shown
        raise AttributeError(name)

    # -- the type: its settings form and fieldsets ----------------------------------------------

    def _connector(self, request, obj: Integration | None):
        """The connector class of the page: the integration's, or the one chosen on the add page."""
        if obj is not None:
            return obj.connector_class
        chosen = request.GET.get("type") or request.POST.get("integration_type")
        known = registry.types()
        if chosen in known:
            return known[chosen]
        return next(iter(known.values())) if len(known) == 1 else None

    def add_view(self, request, form_url="", extra_context=None):
        if self._connector(request, None) is None:  # several types: choose one first
            context = {
                **self.admin_site.each_context(request),
                "title": "Add integration: choose its type",
                "types": registry.type_choices(),
                "opts": self.model._meta,
            }
            return TemplateResponse(request, "admin/integrations/integration/choose_type.html", context)
        return super().add_view(request, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        current = (obj.default_owner_id, obj.channel.owner_id) if obj is not None else ()
        owners = permissions.owner_choices(request.user, obj, current=current)
        form = IntegrationForm.for_type(self._connector(request, obj)).with_owner_choices(owners)
        kwargs["form"] = form.checked_by(request.user)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        connector = self._connector(request, obj)
        typed = [(title, {"fields": list(fields)}) for title, fields in connector.settings_fieldsets]
        if obj is None:  # a new integration has no check and no runs yet
            general = (None, {"fields": [f for f in self.general[1]["fields"] if f != "health"]})
            return [general, *typed, self.schedule, self.two_way]
        fieldsets = [self.general, *typed, self.checked, self.schedule, self.two_way, self.history]
        if permissions.may(request.user, "change", obj):
            return fieldsets
        # A read-only page displays values: a secret must not be one of them.
        hidden = secret_fields(connector) | {"channel_active", "channel_owner"}
        return [(title, {"fields": [f for f in o["fields"] if f not in hidden]}) for title, o in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_changeform_initial_data(self, request):
        return {"default_owner": request.user.pk, "channel_owner": request.user.pk}

    @admin.display(description="Channel", ordering="channel__name")
    def channel_link(self, obj: Integration) -> str:
        return obj.channel.name

    @admin.display(description="Last run")
    def last_run(self, obj: Integration) -> str:
        run = health.facts(obj).last_run
        if run is None:
            return "never"
        url = reverse("admin:integrations_syncrun_change", args=[run.pk])
        badge = (
            '<a href="{}"><span class="oroint-badge oroint-{}">{}</span></a><br><span class="oroint-muted">{}</span>'
        )
        return format_html(badge, url, run.outcome_css, run.outcome, display.when(run.created_at))

    @admin.display(description="Health")
    def health(self, obj: Integration) -> str:
        return health.health_badge(obj, services.integration_secret_problem(integration=obj))

    @admin.display(description="Connection")
    def connection(self, obj: Integration) -> str:
        return health.badge_html(health.connection(obj))

    @admin.display(description="Quarantined")
    def open_quarantined(self, obj: Integration) -> str:
        count = health.facts(obj).open_quarantined
        if not count:
            return "0"
        url = reverse("admin:integrations_quarantinedrecord_changelist")
        query = f"?integration__id__exact={obj.pk}&resolved_at__isempty=1"
        return format_html('<a href="{}{}">{}</a>', url, query, display.count(count))

    @admin.display(description="Next sync")
    def next_sync(self, obj: Integration) -> str:
        due = health.next_sync_at(obj)
        if due is None:
            return health.next_sync(obj)
        return format_html('<span title="{}">{}</span>', display.when(due), health.next_sync(obj))

    @admin.display(description="Found by Check Connection")
    def detected(self, obj: Integration) -> str:
        return obj.connector_class.describe_detected(obj)

    @admin.display(description="Runs, newest first")
    def recent_runs(self, obj: Integration) -> str:
        return run_history(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The Check Connection block after the type's first fieldset (its connection fields): the button
        (on a page that may change the integration), the last check and what a check of the page says."""
        connector = self._connector(request, obj)
        if connector is not None:
            if obj is None:
                check_url = f"{reverse('admin:integrations_integration_check_new')}?type={connector.type_key}"
            else:
                check_url = reverse("admin:integrations_integration_check", args=[obj.pk])
            editable = self.has_add_permission(request) if obj is None else permissions.may(request.user, "change", obj)
            fieldsets = connector.settings_fieldsets
            context.update(
                check_url=check_url if editable else "",
                check_after=fieldsets[0][0] if fieldsets else None,
                check_status=render_to_string(
                    "admin/integrations/integration/check_status.html",
                    # An Add page shown again (a value to correct) still shows the check its form names.
                    {
                        "check": obj.checks.first()
                        if obj is not None
                        else getattr(context["adminform"].form, "check", None)
                    },
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Integration, form, change: bool) -> None:
        if not change:
            obj.integration_type = self._connector(request, None).type_key
            obj.default_owner = obj.default_owner or request.user
            obj.channel = services.channel_create(
                name=obj.name,
                channel_type=obj.integration_type,
                is_active=form.cleaned_data.get("channel_active", True),
                owner=form.cleaned_data.get("channel_owner") or request.user,
            )
        else:
            channel = obj.channel
            channel.is_active = form.cleaned_data.get("channel_active", channel.is_active)
            channel.owner = form.cleaned_data.get("channel_owner") or channel.owner
            channel.save(update_fields=["is_active", "owner"])
        super().save_model(request, obj, form, change)
        form.save_settings(obj)
        if not change and not request.user.is_superuser:
            permissions.grant(request.user, obj)
        warning = store_warning(obj.connector_class, obj.settings, exclude=obj.pk)
        if warning:
            messages.warning(request, warning)

    # -- buttons ------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("check/", wrap(self.check_view), name="integrations_integration_check_new"),
            path("checks/<int:check_id>/", wrap(self.check_result_view), name="integrations_integration_checkresult"),
            path("<int:object_id>/check/", wrap(self.check_view), name="integrations_integration_check"),
            path(
                "<int:object_id>/check/status/",
                wrap(self.check_status_view),
                name="integrations_integration_checkstatus",
            ),
            path("<int:object_id>/sync/", wrap(self.sync_view), name="integrations_integration_sync"),
            path("<int:object_id>/reconcile/", wrap(self.reconcile_view), name="integrations_integration_reconcile"),
            path(
                "<int:object_id>/full-resync/",
                wrap(self.full_resync_view),
                name="integrations_integration_fullresync",
            ),
            *super().get_urls(),
        ]

    def _editable(self, request: HttpRequest, object_id: int) -> Integration:
        integration = get_object_or_404(Integration, pk=object_id)
        if not permissions.may(request.user, "change", integration):
            raise PermissionDenied
        return integration

    def _viewable(self, request: HttpRequest, object_id: int) -> Integration:
        integration = get_object_or_404(Integration, pk=object_id)
        if not permissions.may(request.user, "view", integration):
            raise PermissionDenied
        return integration

    def _back(self, integration: Integration) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:integrations_integration_change", args=[integration.pk]))

    def check_view(self, request: HttpRequest, object_id: int | None = None) -> JsonResponse:
        """Check Connection on the form's values (posted by the page's script), saved or not: on the Add
        page (no object_id) or an integration's. Nothing is saved but the check; the answer says where
        to read its outcome, or what to correct first."""
        if request.method != "POST":
            return JsonResponse({"status": "invalid", "message": "Post the form's values."}, status=405)
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            integration = None
        else:
            integration = self._editable(request, object_id)
        connector = self._connector(request, integration)
        if connector is None:
            return JsonResponse({"status": "invalid", "message": "Choose the integration's type first."}, status=400)
        form = check_settings_form(connector, request.POST, integration)
        if form is not None and not form.is_valid():
            said = "; ".join(
                f"{form.fields[name].label if name in form.fields else 'Settings'}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            message = f"Correct these values before checking: {said}"
            errors = {name: list(found) for name, found in form.errors.items()}
            return JsonResponse({"status": "invalid", "message": message, "errors": errors}, status=400)
        values = form.instance if form is not None else None
        try:
            check = services.connection_check_draft_request(
                integration_type=connector.type_key, settings=values, integration=integration, user=request.user
            )
        except crypto.SecretDecryptionError as exc:
            return JsonResponse({"status": "invalid", "message": str(exc)}, status=400)
        except services.QueueUnavailable as exc:
            return JsonResponse({"status": "failed", "message": str(exc)}, status=503)
        return JsonResponse(self._check_answer(check, connector), status=202)

    def check_result_view(self, request: HttpRequest, check_id: int) -> JsonResponse:
        """One check's outcome, and the choices it found for the form's fields."""
        check = get_object_or_404(ConnectionCheck.objects.select_related("integration"), pk=check_id)
        if check.integration is not None:
            if not permissions.may(request.user, "view", check.integration):
                raise PermissionDenied
        elif check.requested_by_id != request.user.pk:  # a check of an Add form is its user's only
            raise PermissionDenied
        type_key = check.integration_type or check.integration.integration_type
        return JsonResponse(self._check_answer(check, registry.connector_class(type_key)))

    def _check_answer(self, check: ConnectionCheck, connector) -> dict:
        succeeded = check.status == ConnectionCheck.Status.SUCCEEDED
        return {
            "id": check.pk,
            "status": check.status,
            "finished": check.is_finished,
            "message": check.message,
            "status_url": reverse("admin:integrations_integration_checkresult", args=[check.pk]),
            "choices": checked_choices(connector, check.found) if succeeded else {},
            "warning": store_warning_for_url(connector, check.draft, exclude=check.integration_id),
        }

    def check_status_view(self, request: HttpRequest, object_id: int) -> JsonResponse:
        integration = self._viewable(request, object_id)
        check: ConnectionCheck | None = integration.checks.first()
        if check is None:
            return JsonResponse({"status": None})
        return JsonResponse(
            {"id": check.pk, "status": check.status, "finished": check.is_finished, "message": check.message}
        )

    def sync_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponse(status=405)
        return self._schedule(request, self._editable(request, object_id), full=False)

    def reconcile_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Reconcile everything: every record the integration pushes is sent again."""
        if request.method != "POST":
            return HttpResponse(status=405)
        integration = self._editable(request, object_id)
        try:
            count = services.push_reconcile(integration=integration)
        except services.QueueUnavailable as exc:
            messages.error(request, str(exc))
            return self._back(integration)
        messages.success(request, f"{count} pushes queued; the export run shows their outcome.")
        return self._back(integration)

    def full_resync_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Force full re-sync: a page that says what it does (GET), then the run (POST, confirmed)."""
        integration = self._editable(request, object_id)
        if request.method == "POST":
            return self._schedule(request, integration, full=True)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Force a full re-sync of {integration.name}?",
            "integration": integration,
            "opts": self.model._meta,
            "original": integration,
        }
        return TemplateResponse(request, "admin/integrations/integration/confirm_full_resync.html", context)

    def _schedule(self, request: HttpRequest, integration: Integration, *, full: bool) -> HttpResponse:
        try:
            run = services.sync_schedule(
                integration=integration, user=request.user, trigger=SyncRun.Trigger.ADMIN, full=full
            )
        except services.SyncAlreadyActive as exc:
            url = reverse("admin:integrations_syncrun_change", args=[exc.run.pk])
            messages.warning(request, format_html('{} <a href="{}">Check progress</a>', str(exc), url))
            return self._back(integration)
        except services.QueueUnavailable as exc:
            messages.error(request, str(exc))
            return self._back(integration)
        url = reverse("admin:integrations_syncrun_change", args=[run.pk])
        what = "A full re-sync job" if full else "A sync job"
        messages.success(
            request, format_html('{} has been added to the queue. <a href="{}">Check progress</a>', what, url)
        )
        return self._back(integration)


def store_warning_for_url(connector, values: dict, *, exclude: int | None) -> str:
    """What to say when the store URL in `values` (settings field name -> value) is already another
    integration's: each of its orders would come in twice. Empty when it is no other's."""
    field = connector.store_url_field
    url = values.get(field) if field else None
    others = selectors.integrations_on_store(url=url, exclude=exclude)
    if not others:
        return ""
    links = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("admin:integrations_integration_change", args=[o.pk]), o.name) for o in others),
    )
    return format_html(
        "{} is already the store of {}: each of its orders would then appear twice, once per integration.",
        url,
        links,
    )


def store_warning(connector, settings, *, exclude: int | None) -> SafeString | str:
    """store_warning_for_url for saved settings."""
    field = connector.store_url_field
    if settings is None or field is None:
        return ""
    return store_warning_for_url(connector, {field: getattr(settings, field)}, exclude=exclude)
