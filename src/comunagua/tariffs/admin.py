from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Tariff


@admin.register(Tariff)
class TariffAdmin(SimpleHistoryAdmin):
    list_display = ["name", "committee", "effective_from", "created_by"]
    list_filter = ["committee"]
    search_fields = ["name"]
    # The board writes tariffs through its pages, where they are checked; not here.
    readonly_fields = ["data", "source", "created_by", "created_at"]
