from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class MemosConfig(AppConfig):
    name = "memos"
    verbose_name = _("Служебные записки")

    def ready(self) -> None:
        from memos import access

        access.register()
        from memos import forms, route, selectors, services
        from storage import registry as storage
        from workflow.registry import TaskKind, register_task_kind
        from workflow.routes.registry import DocumentType, register_document_type

        register_document_type(
            DocumentType(
                code=route.DOC_TYPE,
                model="memos.Memo",
                label=_("Служебная записка"),
                author_of=lambda memo: memo.author,
                resubmit=services.memo_resubmit,
                hooks=route.MemoHooks(),
                describe=route.describe,
                edit_url=lambda memo: reverse("memos:edit", args=[memo.pk]),
                visible_ids=selectors.visible_ids,
            )
        )
        done = forms.DecisionForm.DONE
        register_task_kind(
            TaskKind(
                code=route.KIND_DECIDE,
                label=_("Решение по служебной записке"),
                form_class=forms.DecisionForm,
                complete=services.memo_decide,
                submit_label=_("Принять решение"),
                success_message=lambda task, data: str(done[data["decision"]]),
            )
        )
        storage.register_download_check(selectors.may_download)
        storage.register_subject_visibility("memos.Memo", selectors.visible_ids)
