from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.models import (
    ApprovalRule,
    ApproverKind,
    Contract,
    ContractField,
    ContractType,
    Fund,
    Stage,
    SubjectCategory,
)
from contracts.name_template import example_name
from contracts.routing import DOC_TYPE, ROLE_INITIATOR_HEAD, route_plan
from workflow.pickers import PersonPickerAdminMixin
from workflow.routes.plan import participant_count
from workflow.routes.services import settings_for
from workflow.services import display_name


class StageInline(PersonPickerAdminMixin, admin.TabularInline):
    model = Stage
    extra = 0
    autocomplete_fields = ["assignee_user"]


class ContractFieldInline(admin.TabularInline):
    model = ContractField
    extra = 0
    fields = ["order", "label", "kind", "required", "choices"]
    formfield_overrides = {
        ContractField._meta.get_field("choices").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 30})
        }
    }


@admin.register(ContractType)
class ContractTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "direction", "name_example", "is_active"]
    list_filter = ["direction", "is_active"]
    inlines = [ContractFieldInline, StageInline]

    @admin.display(description=_("пример названия"))
    def name_example(self, obj: ContractType) -> str:
        return example_name(obj.name_template)


@admin.register(SubjectCategory)
class SubjectCategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Fund)
class FundAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    list_display = ["name", "owner"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["members"]


class ApprovalRuleForm(forms.ModelForm):
    class Meta:
        model = ApprovalRule
        fields = [
            "name",
            "contract_type",
            "subject_category",
            "fund",
            "amount_min",
            "amount_max",
            "approver_kind",
            "approver_user",
            "approver_role",
            "group",
            "deadline_days",
            "is_active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("contract_type", "subject_category", "fund"):
            self.fields[name].empty_label = gettext("— любой —")


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(PersonPickerAdminMixin, admin.ModelAdmin):
    form = ApprovalRuleForm
    list_display = ["name", "conditions", "approver", "group", "deadline_days", "is_active"]
    list_filter = ["contract_type", "fund", "approver_kind", "is_active"]
    list_editable = ["group", "deadline_days", "is_active"]
    list_select_related = ["contract_type", "subject_category", "fund", "approver_user"]
    autocomplete_fields = ["approver_user"]
    change_list_template = "admin/contracts/approvalrule/change_list.html"

    @admin.display(description=_("условия (пусто — любой)"))
    def conditions(self, obj: ApprovalRule) -> str:
        return obj.conditions_text()

    @admin.display(description=_("кто согласует"))
    def approver(self, obj: ApprovalRule) -> str:
        who = obj.get_approver_kind_display()
        detail = ""
        if obj.approver_kind == ApproverKind.USER and obj.approver_user is not None:
            detail = display_name(obj.approver_user)
        elif obj.approver_kind == ApproverKind.ROLE:
            detail = obj.get_approver_role_display()
        return f"{who}: {detail}" if detail else who

    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="contracts_approvalrule_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request):
        """Who would approve a contract of a type, fund, subject category and amount: the same
        builder the initiator's submission uses."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RoutePreviewForm(request.GET or None)
        plan = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            contract = Contract(
                contract_type=data["contract_type"],
                fund=data["fund"],
                subject_category=data["subject_category"],
                amount=data["amount"],
                initiator=data["initiator"],
            )
            plan = route_plan(contract)
        config = settings_for(DOC_TYPE)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Предпросмотр маршрута договора"),
            "form": form,
            "plan": plan,
            "count": participant_count(plan) if plan else 0,
            "cap": config.participant_cap,
            "over_cap_refused": config.over_cap == "refuse",
            "head_role": ROLE_INITIATOR_HEAD,
        }
        return TemplateResponse(request, "admin/contracts/route_preview.html", context)


class RoutePreviewForm(forms.Form):
    contract_type = forms.ModelChoiceField(
        label=_("Тип договора"), queryset=ContractType.objects.all()
    )
    fund = forms.ModelChoiceField(
        label=_("Источник финансирования"),
        queryset=Fund.objects.all(),
        required=False,
        empty_label=_("— без фонда —"),
    )
    subject_category = forms.ModelChoiceField(
        label=_("Категория предмета"),
        queryset=SubjectCategory.objects.all(),
        required=False,
        empty_label=_("— не указана —"),
    )
    amount = forms.DecimalField(label=_("Сумма, ₽"), min_value=0, max_digits=14, decimal_places=2)
    initiator = forms.ModelChoiceField(
        label=_("Инициатор"),
        queryset=None,
        required=False,
        empty_label=_("— не выбран —"),
        help_text=_("Нужен для правила «Руководитель инициатора»; без него правило покажет роль."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from workflow.forms import active_employees

        self.fields["initiator"].queryset = active_employees()
        self.fields["initiator"].label_from_instance = lambda u: u.get_full_name() or u.username


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Read-mostly: contracts change state only through their route, never here."""

    list_display = ["number", "name", "status", "initiator", "created_at"]
    list_filter = ["status", "contract_type"]
    search_fields = ["name"]
    exclude = ["participants"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
