from django.contrib import admin

from channels.admin.base import RemovedInStoreFilter, VisibleChannelFilter
from channels.admin.stores import ChannelRecordAdmin
from channels.models import Region


@admin.register(Region)
class RegionAdmin(ChannelRecordAdmin):
    list_display = ["name", "code", "country_code", "channel", "remote"]
    list_filter = ["country_code", ("integration__channel", VisibleChannelFilter), RemovedInStoreFilter]
    search_fields = ["name", "code"]
