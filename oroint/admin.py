"""The admin site's names, and its start page."""

from django.contrib import admin

from oroint import start

admin.site.site_header = "oroint"
admin.site.site_title = "oroint back office"
admin.site.index_title = "Channels, integrations and what they bring in"

# The index is the start page (channels, next steps, recent runs, key figures); /admin/dashboard/ beside it.
start.install(admin.site)
