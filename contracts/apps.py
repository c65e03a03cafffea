from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Договоры")

    def ready(self) -> None:
        from contracts import access

        access.register()
        from django.urls import reverse

        from contracts import (  # noqa: F401  (rules registers permissions)
            forms,
            roles,  # noqa: F401  (registers the app's roles)
            routing,
            rules,
            selectors,
            services,
        )
        from storage.registry import register_download_check, register_subject_visibility
        from workflow import registry
        from workflow.routes.registry import DocumentType, register_document_type
        from workflow.routes.tasks import step_task_complete

        register_download_check(selectors.user_may_download)
        registry.register_subject_files(
            "contracts.Contract",
            lambda contract: [
                link.stored_file
                for link in contract.files.select_related("stored_file").order_by("pk")
            ],
        )
        register_subject_visibility(
            "contracts.Contract",
            selectors.visible_contract_ids,
            queryset=lambda user: selectors.contracts_visible_to(user).values("pk"),
        )
        register_document_type(
            DocumentType(
                code=routing.DOC_TYPE,
                model="contracts.Contract",
                label=_("Договор"),
                author_of=lambda contract: contract.initiator,
                resubmit=services.contract_resubmit,
                hooks=services.ContractHooks(),
                describe=services.describe,
                edit_url=lambda contract: reverse("contracts:contract-edit", args=[contract.pk]),
                visible_ids=selectors.visible_contract_ids,
            )
        )
        # preparation and signing are engine steps; only their words are the contract's own
        for code, label, form_class in (
            (routing.KIND_PREPARE, _("Подготовка договора"), forms.PreparationForm),
            (routing.KIND_SIGN_INVOICE, _("Подписание счёта"), forms.InvoiceSignForm),
            (routing.KIND_SIGN_CONTRACT, _("Подписание договора"), forms.ContractSignForm),
        ):
            registry.register_task_kind(
                registry.TaskKind(
                    code=code,
                    label=label,
                    form_class=form_class,
                    complete=step_task_complete,
                    submit_label=_("Отправить решение"),
                    success_message=forms.decision_message,
                )
            )
