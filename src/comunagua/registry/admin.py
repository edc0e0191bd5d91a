from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Connection, Holding, Lot, Member, Meter, RegistryImport, Sector


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["last_names", "first_names", "id_document", "committee", "status"]
    list_filter = ["committee", "status", "gender"]
    search_fields = ["first_names", "last_names", "id_document"]


@admin.register(Connection)
class ConnectionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "committee", "category", "status"]
    list_filter = ["committee", "category", "status"]
    search_fields = ["number"]


@admin.register(Meter)
class MeterAdmin(SimpleHistoryAdmin):
    list_display = ["serial", "connection", "installed_on", "removed_on"]
    list_filter = ["committee"]
    search_fields = ["serial", "connection__number"]


admin.site.register([Lot, Holding], SimpleHistoryAdmin)
admin.site.register([Sector, RegistryImport])
