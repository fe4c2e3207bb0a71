from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from oroint.health import health
from oroint.media import media

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media, name="media"),
]
