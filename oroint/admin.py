"""The admin site's names."""

from django.contrib import admin

admin.site.site_header = "oroint"
admin.site.site_title = "oroint back office"
admin.site.index_title = "Channels, integrations and what they bring in"
