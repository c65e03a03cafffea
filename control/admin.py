from django.contrib import admin

from control.models import StuckThreshold


@admin.register(StuckThreshold)
class StuckThresholdAdmin(admin.ModelAdmin):
    list_display = ["document_type", "working_days"]
