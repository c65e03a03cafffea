from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.models import (
    CalendarEvent,
    CalendarFeedToken,
    CallAssignment,
    CallList,
    Communication,
    CompanyImport,
    ContactPerson,
    Counterparty,
    CrmSettings,
    Deal,
    DistributionWeek,
    Industry,
)
from crm.search import contact_keys
from workflow.pickers import PersonPickerAdminMixin, person_label


class ContactPersonInline(admin.StackedInline):
    model = ContactPerson
    extra = 0
    fields = ["name", "position", "phones", "emails", "comment"]


@admin.register(Counterparty)
class CounterpartyAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["name", "category", "inn", "industry", "responsible_label", "status", "phone"]
    list_select_related = ["industry", "responsible__employee"]
    list_filter = ["category", "status", "industry"]
    search_fields = ["name", "inn"]
    autocomplete_fields = ["responsible"]
    inlines = [ContactPersonInline]
    # the processing status changes only through the pipeline services
    readonly_fields = ["status", "pipeline_started_at", "last_communication_at"]

    @admin.display(description=_("ответственный менеджер"), ordering="responsible__last_name")
    def responsible_label(self, obj) -> str:
        return person_label(obj.responsible) if obj.responsible else "—"

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # the search column follows the phones and emails edited here
        company = form.instance
        company.contact_keys = contact_keys(
            phone=company.phone, email=company.email, contacts=company.contacts.all()
        )
        company.version += 1
        company.save(update_fields=["contact_keys", "version"])


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_pipeline"]
    list_editable = ["starts_pipeline"]
    search_fields = ["name"]


@admin.register(CrmSettings)
class CrmSettingsAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "contact_control_days",
        "distribution_quota",
        "distribution_weekday",
        "distribution_time",
    ]
    readonly_fields = ["distribution_cursor"]
    autocomplete_fields = ["sales_department", "unassigned_fallback"]
    filter_horizontal = ["distribution_industries"]
    fieldsets = [
        (_("Контроль контакта"), {"fields": ["contact_control_days", "contact_task_working_days"]}),
        (
            _("Кому задания по компаниям без менеджера"),
            {"fields": ["sales_department", "unassigned_fallback"]},
        ),
        (_("Календарь"), {"fields": ["reminder_minutes"]}),
        (
            _("Недельное распределение"),
            {
                "description": _(
                    "Распределение удобнее настраивать на странице «Прозвон клиентов». "
                    "Курсор очереди меняет только само распределение: правка вручную "
                    "пропустила бы или повторила компании."
                ),
                "fields": [
                    "distribution_weekday",
                    "distribution_time",
                    "distribution_quota",
                    "distribution_categories",
                    "distribution_industries",
                    "distribution_cursor",
                ],
            },
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return not CrmSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        from crm.services.distribution import schedule_reanchor

        super().save_model(request, obj, form, change)
        schedule_reanchor(obj)


@admin.register(Communication)
class CommunicationAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["company", "kind", "occurred_at", "author"]
    list_filter = ["kind"]
    raw_id_fields = ["company"]


@admin.register(Deal)
class DealAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["title", "company", "pipeline", "status", "created_at"]
    list_filter = ["pipeline", "status"]
    raw_id_fields = ["company"]


@admin.register(CalendarEvent)
class CalendarEventAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["title", "owner", "kind", "starts_at", "manual"]
    list_filter = ["kind", "manual"]
    raw_id_fields = ["company"]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["user", "created_at"]
    exclude = ["token"]


class CallListInline(admin.TabularInline):
    model = CallList
    extra = 0
    can_delete = False
    readonly_fields = ["manager"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


WEEK_READ_ONLY = _(
    "Недели создаёт только распределение, и изменить их нельзя: дата недели и курсоры "
    "задают, с какой компании продолжится следующая неделя, и правка вручную пропустила бы "
    "или повторила компании. Запустить распределение и изменить его настройки можно на "
    "странице «Прозвон клиентов»."
)


@admin.register(DistributionWeek)
class DistributionWeekAdmin(admin.ModelAdmin):
    list_display = ["week_start", "quota", "cursor_before", "cursor_after", "created_at", "run_by"]
    inlines = [CallListInline]
    readonly_fields = ["week_start", "quota", "cursor_before", "cursor_after", "created_at"]
    readonly_fields += ["run_by"]
    fieldsets = [(None, {"description": WEEK_READ_ONLY, "fields": readonly_fields})]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallAssignment)
class CallAssignmentAdmin(admin.ModelAdmin):
    list_display = ["company", "call_list", "called_at", "result"]
    raw_id_fields = ["company", "call_list"]
    readonly_fields = ["week", "call_list", "company"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CompanyImport)
class CompanyImportAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = [
        "original_name",
        "created_by",
        "created_at",
        "state",
        "created_count",
        "updated_count",
    ]
    readonly_fields = ["errors", "preview", "mapping", "header", "sheets"]
