from django.contrib import admin

from crm.models import Counterparty


@admin.register(Counterparty)
class CounterpartyAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "inn", "phone", "email"]
    list_filter = ["category"]
    search_fields = ["name", "inn"]
