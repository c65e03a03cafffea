"""What search indexes of memos: loaded by the search app, which reads ``PROVIDERS``
(``search.providers`` describes the protocol). This app never imports search."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from memos.models import Memo, MemoStatus
from memos.selectors import memos_visible_to


class MemoProvider:
    kind = "memo"
    label = _("Служебные записки")
    single_label = _("Служебная записка")
    model = "memos.Memo"
    order = 40
    status_choices = MemoStatus.choices
    watch = {"memos.MemoFile": lambda link: [link.memo_id]}

    def queryset(self):
        return Memo.objects.prefetch_related("files")

    def document(self, memo):
        return dict(
            title=f"{memo.number or _('черновик')} — {memo.subject}",
            codes=[memo.number],
            body="\n".join(part for part in (memo.text, memo.resolution) if part),
            date=timezone.localdate(memo.submitted_at or memo.created_at),
            legal_entity_id=memo.legal_entity_id,
            status=memo.status,
            file_ids=[link.stored_file_id for link in memo.files.all()],
        )

    def visible(self, user):
        return memos_visible_to(user)

    def url(self, pk: int) -> str:
        return reverse("memos:detail", args=[pk])


PROVIDERS = [MemoProvider()]
