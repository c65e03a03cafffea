"""Who may see a memo, and the register query. One rule everywhere (card, files, export,
register): the author, every route participant (through their tasks, current or past), the
heads above the author and above each participant, and the general director. All but the last
answer from the engine's access table."""

from __future__ import annotations

from django.db.models import QuerySet

from memos.models import Memo, MemoFile
from workflow.access import accessible_ids
from workflow.roles import GENERAL_DIRECTOR
from workflow.selectors import has_role, subordinate_department_ids


def memos_visible_to(user) -> QuerySet:
    if not user.is_authenticated:
        return Memo.objects.none()
    if has_role(user, GENERAL_DIRECTOR):
        return Memo.objects.all()
    departments = subordinate_department_ids(user)
    return Memo.objects.filter(pk__in=accessible_ids(user, Memo, departments))


def visible_ids(user, ids: list[int]) -> set[int]:
    return set(memos_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def may_download(user, stored_file) -> bool:
    """Storage asks: may ``user`` fetch this file? Yes if it is attached to a memo they see."""
    ids = list(MemoFile.objects.filter(stored_file=stored_file).values_list("memo_id", flat=True))
    return bool(ids) and bool(visible_ids(user, ids))


def visible_memo(user, pk: int) -> Memo | None:
    return (
        memos_visible_to(user)
        .select_related("legal_entity", "author__employee", "addressee__employee")
        .filter(pk=pk)
        .first()
    )
