from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Договоры")

    def ready(self) -> None:
        from contracts import (  # noqa: F401  (rules registers permissions)
            forms,
            roles,  # noqa: F401  (registers the app's roles)
            rules,
            selectors,
            services,
        )
        from storage.registry import register_download_check, register_subject_visibility
        from workflow import registry

        register_download_check(selectors.user_may_download)
        register_subject_visibility(
            "contracts.Contract",
            selectors.visible_contract_ids,
            queryset=lambda user: selectors.contracts_visible_to(user).values("pk"),
        )

        kinds = [
            (
                services.KIND_PREPARE,
                _("Подготовка договора"),
                forms.PreparationForm,
                services.preparation_complete,
            ),
            (
                services.KIND_APPROVE,
                _("Согласование договора"),
                forms.ApprovalDecisionForm,
                services.approval_decide,
            ),
            (
                services.KIND_REVISE,
                _("Доработка договора"),
                forms.ReviseForm,
                services.revise_complete,
            ),
            (
                services.KIND_SIGN_INVOICE,
                _("Подписание счёта"),
                forms.InvoiceSignForm,
                services.invoice_sign_complete,
            ),
            (
                services.KIND_SIGN_CONTRACT,
                _("Подписание договора"),
                forms.ContractSignForm,
                services.contract_sign_complete,
            ),
        ]
        for code, label, form_class, complete in kinds:
            registry.register_task_kind(
                registry.TaskKind(
                    code=code,
                    label=label,
                    form_class=form_class,
                    complete=complete,
                    submit_label=(
                        _("Отправить повторно")
                        if code == services.KIND_REVISE
                        else _("Отправить решение")
                    ),
                )
            )
