from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    verbose_name = _("Корреспонденция")

    def ready(self) -> None:
        from correspondence import forms, rules, selectors  # noqa: F401  (rules registers perms)
        from correspondence.services import incoming, routing
        from storage.registry import register_download_check, register_subject_visibility
        from workflow import registry

        kinds = [
            (
                routing.KIND_RESOLUTION,
                _("Резолюция по входящему"),
                forms.ResolutionForm,
                incoming.resolution_complete,
                _("Вынести резолюцию"),
            ),
            (
                routing.KIND_REVIEW,
                _("Рассмотрение входящего"),
                forms.ReviewForm,
                incoming.review_complete,
                _("Рассмотрено"),
            ),
            (
                routing.KIND_ASSIGN,
                _("Назначение исполнителя"),
                forms.AssignExecutorForm,
                incoming.assign_complete,
                _("Назначить"),
            ),
            (
                routing.KIND_EXECUTE,
                _("Исполнение входящего"),
                forms.ExecuteForm,
                incoming.execute_complete,
                _("Отправить решение"),
            ),
        ]
        for code, label, form_class, complete, submit_label in kinds:
            registry.register_task_kind(
                registry.TaskKind(
                    code=code,
                    label=label,
                    form_class=form_class,
                    complete=complete,
                    submit_label=submit_label,
                )
            )
        self._register_outgoing(registry)
        register_download_check(selectors.user_may_download)
        register_subject_visibility(
            "correspondence.IncomingLetter",
            selectors.visible_incoming_ids,
            queryset=lambda user: selectors.incoming_visible_to(user).values("pk"),
        )
        register_subject_visibility(
            "correspondence.OutgoingLetter",
            selectors.visible_outgoing_ids,
            queryset=lambda user: selectors.outgoing_visible_to(user).values("pk"),
        )
        from correspondence.crm_links import counterparty_correspondence
        from crm.registry import register_correspondence

        register_correspondence(counterparty_correspondence)

    @staticmethod
    def _register_outgoing(registry) -> None:
        from correspondence import forms_outgoing as f
        from correspondence.services import outgoing as s

        for code, label, form_class, complete, submit_label in (
            (
                s.KIND_APPROVE,
                _("Согласование исходящего"),
                f.ApprovalForm,
                s.approval_decide,
                _("Принять решение"),
            ),
            (
                s.KIND_REVISE,
                _("Доработка исходящего"),
                f.ReviseForm,
                s.revise_complete,
                _("Отправить на согласование повторно"),
            ),
            (
                s.KIND_SEND,
                _("Отправка исходящего"),
                f.SendForm,
                s.send_complete,
                _("Письмо отправлено"),
            ),
            (
                s.KIND_NUMBER,
                _("Входящий номер контрагента"),
                f.CounterpartyNumberForm,
                s.counterparty_number_complete,
                _("Сохранить номер"),
            ),
            (
                s.KIND_REACTION,
                _("Проверка реакции контрагента"),
                f.ReactionForm,
                s.reaction_complete,
                _("Отправить решение"),
            ),
        ):
            registry.register_task_kind(
                registry.TaskKind(
                    code=code,
                    label=label,
                    form_class=form_class,
                    complete=complete,
                    submit_label=submit_label,
                )
            )
        registry.register_timer_handler(s.TIMER_REACTION, s.reaction_timer_fire)
        from outbox.registry import register_delivery_hook

        register_delivery_hook("correspondence.OutgoingLetter", s.email_delivery_reported)
