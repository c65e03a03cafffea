from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    verbose_name = _("Корреспонденция")

    def ready(self) -> None:
        from correspondence import (  # noqa: F401  (rules registers perms)
            forms,
            roles,  # noqa: F401  (registers the app's roles)
            rules,
            selectors,
        )
        from storage.registry import register_download_check, register_subject_visibility
        from workflow import registry

        self._register_incoming(registry)
        self._register_outgoing(registry)
        from correspondence import access

        access.register()
        register_download_check(selectors.user_may_download)
        for model in ("correspondence.IncomingLetter", "correspondence.OutgoingLetter"):
            registry.register_subject_files(
                model, lambda letter: [link.stored_file for link in selectors.letter_files(letter)]
            )
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
    def _register_incoming(registry) -> None:
        from correspondence import forms as f
        from correspondence import selectors
        from correspondence.services import incoming as s
        from correspondence.services.incoming import route
        from workflow.routes.registry import DocumentType, register_document_type

        # after «Нужен ответ» the executor goes to the reply draft, told what is next
        execute_extras = {
            "next_url": s.execute_next_url,
            "success_message": s.execute_success_message,
        }
        for code, label, form_class, complete, submit_label in (
            (
                s.KIND_RESOLUTION,
                _("Резолюция по входящему"),
                f.ResolutionForm,
                s.resolution_complete,
                _("Вынести резолюцию"),
            ),
            (
                s.KIND_ASSIGN,
                _("Назначение исполнителя"),
                f.AssignExecutorForm,
                s.assign_complete,
                _("Назначить"),
            ),
            (
                s.KIND_EXECUTE,
                _("Исполнение входящего"),
                f.ExecuteForm,
                s.execute_complete,
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
                    **(execute_extras if code == s.KIND_EXECUTE else {}),
                )
            )
        register_document_type(
            DocumentType(
                code=route.DOC_TYPE,
                model="correspondence.IncomingLetter",
                label=_("Входящее письмо"),
                author_of=lambda letter: letter.registered_by,
                hooks=route.IncomingHooks(),
                describe=route.describe,
                visible_ids=selectors.visible_incoming_ids,
            )
        )

    @staticmethod
    def _register_outgoing(registry) -> None:
        from correspondence import forms_outgoing as f
        from correspondence.services import outgoing as s

        for code, label, form_class, complete, submit_label in (
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
        from django.urls import reverse

        registry.register_task_kind(
            registry.TaskKind(
                code=s.KIND_PREPARE,
                label=_("Подготовка ответа"),
                form_class=f.PrepareReplyForm,
                complete=s.prepare_complete,
                submit_label=_("Отправить на согласование"),
                success_message=lambda task, data: str(_("Ответ отправлен на согласование.")),
                edit_url=lambda task: reverse(
                    "correspondence:outgoing-edit", args=[task.object_id]
                ),
            )
        )

        from correspondence import selectors
        from correspondence.services.outgoing import approval
        from workflow.routes.registry import DocumentType, register_document_type

        register_document_type(
            DocumentType(
                code=approval.DOC_TYPE,
                model="correspondence.OutgoingLetter",
                label=_("Исходящее письмо"),
                author_of=lambda letter: letter.author,
                resubmit=approval.outgoing_resubmit,
                hooks=approval.OutgoingHooks(),
                describe=approval.describe,
                edit_url=lambda letter: reverse("correspondence:outgoing-edit", args=[letter.pk]),
                visible_ids=selectors.visible_outgoing_ids,
            )
        )
        from outbox.registry import register_delivery_hook

        register_delivery_hook("correspondence.OutgoingLetter", s.email_delivery_reported)
