from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM: контрагенты")

    def ready(self) -> None:
        from crm import (
            forms,
            roles,  # noqa: F401  (registers the app's roles)
        )
        from crm.services import calendar, contact, distribution, pipeline
        from workflow import registry

        registry.register_task_kind(
            registry.TaskKind(
                code=pipeline.PIPELINE_REQUEST,
                label=_("Клиентский процесс"),
                form_class=forms.PipelineAnswerForm,
                complete=pipeline.pipeline_answer,
                submit_label=_("Ответить"),
            )
        )
        registry.register_task_kind(
            registry.TaskKind(
                code=contact.CONTACT_TASK,
                label=_("Связаться с клиентом"),
                form_class=forms.ContactTaskForm,
                complete=contact.contact_task_complete,
                submit_label=_("Связался"),
            )
        )
        registry.register_task_kind(
            registry.TaskKind(
                code=distribution.CALL_LIST_TASK,
                label=_("Прозвон клиентов"),
                form_class=forms.CallListTaskForm,
                complete=distribution.call_list_finish,
                submit_label=_("Завершить прозвон недели"),
            )
        )
        registry.register_timer_handler(pipeline.PIPELINE_REQUEST, pipeline.pipeline_request_due)
        registry.register_timer_handler(contact.CONTACT_CHECK, contact.contact_check)
        registry.register_timer_handler(calendar.EVENT_REMINDER, calendar.event_reminder)
