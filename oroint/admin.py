"""The admin site's names, its start page, and who sees the queue's internals."""

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_rq.admin import QueueAdmin
from django_rq.models import Dashboard

from oroint import start

admin.site.site_header = "oroint"
admin.site.site_title = "oroint back office"
admin.site.index_title = "Channels, integrations and what they bring in"


def _superuser(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_superuser


def superusers_only(view: Callable) -> Callable:
    """A Django-RQ view that answers 403 to a signed-in user who is not a superuser. A visitor not
    signed in meets the view's own rule (the admin's log-in page; a monitoring token for stats.json)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated and not _superuser(request):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


class SuperuserQueueAdmin(QueueAdmin):
    """Django-RQ's pages (queues, jobs with their arguments and tracebacks, workers; delete and requeue)
    for superusers only: what staff users need of a run or a check is on its own page. Django-RQ lets
    every staff user in."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _superuser(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _superuser(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _superuser(request)

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:
            pattern.callback = superusers_only(pattern.callback)
        return urls


if admin.site.is_registered(Dashboard):
    admin.site.unregister(Dashboard)
admin.site.register(Dashboard, SuperuserQueueAdmin)
# The index is the start page (channels, next steps, recent runs, key figures); /admin/dashboard/ beside it.
start.install(admin.site)
