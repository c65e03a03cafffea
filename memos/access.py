"""The rows memos put in the access table: the author (and through their department, the heads
above them). Route participants' rows come from the engine's tasks."""

from __future__ import annotations

from memos.models import Memo
from workflow.access import departments_of, register_access_source, user_rows
from workflow.models import AccessReason


def memo_rows(ids: list[int] | None):
    memos = Memo.objects.all() if ids is None else Memo.objects.filter(pk__in=ids)
    authors = list(memos.values_list("pk", "author_id").iterator(chunk_size=10000))
    departments = departments_of({author for _pk, author in authors})
    for pk, author in authors:
        yield from user_rows(pk, [author], AccessReason.AUTHOR, departments)


def register() -> None:
    register_access_source(Memo, memo_rows)
