from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EstimationRule, Reading, Round, Route, RouteStop


@admin.register(Reading)
class ReadingAdmin(SimpleHistoryAdmin):
    list_display = ["connection", "round", "value", "consumption", "status", "source"]
    list_filter = ["committee", "status", "source", "estimated"]
    search_fields = ["connection__number", "meter__serial"]
    raw_id_fields = ["round", "connection", "meter", "conflict_with"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["period", "committee", "status", "closed_at"]
    list_filter = ["committee", "status"]


admin.site.register([Route, RouteStop, EstimationRule])
