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
        register_download_check(selectors.user_may_download)
        register_subject_visibility("correspondence.IncomingLetter", selectors.visible_incoming_ids)
        register_subject_visibility("correspondence.OutgoingLetter", selectors.visible_outgoing_ids)
