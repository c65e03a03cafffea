from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Оргструктура и задания")

    def ready(self) -> None:
        from outbox.registry import register_delivery_hook
        from workflow import handlers, jobs, registry, services
        from workflow.forms import InstructionCompleteForm

        registry.register_task_kind(
            registry.TaskKind(
                code=services.INSTRUCTION,
                label=_("Поручение"),
                form_class=InstructionCompleteForm,
                complete=services.instruction_complete,
                submit_label=_("Выполнено"),
            )
        )
        from workflow.routes import tasks as route_tasks

        route_tasks.register()
        registry.register_timer_handler(services.TASK_REMINDER, handlers.task_reminder)
        registry.register_timer_handler(services.TASK_ESCALATION, handlers.task_escalation)
        registry.register_timer_batch_handler(services.TASK_REMINDER, handlers.task_reminders)
        registry.register_timer_batch_handler(services.TASK_ESCALATION, handlers.task_escalations)
        register_delivery_hook("workflow.Notification", jobs.notification_emailed)
        from django.db.models.signals import post_delete, post_save

        from workflow.access import access_follow_department
        from workflow.models import Department, Employee
        from workflow.selectors import department_tree_forget

        post_save.connect(access_follow_department, sender=Employee, dispatch_uid="access")
        for signal in (post_save, post_delete):
            signal.connect(department_tree_forget, sender=Department, dispatch_uid="tree")
