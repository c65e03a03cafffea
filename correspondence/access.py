"""The rows letters put in the access table: the registrar of an incoming letter, the author and
executor of an outgoing one, and the executor of our letter that an incoming letter answers (they
may read the counterparty's reply); our reply copies the rows of the letter it answers. Task rows
come from the engine."""

from __future__ import annotations

from correspondence.models import IncomingLetter, OutgoingLetter
from workflow.access import (
    departments_of,
    register_access_source,
    register_access_tokens,
    user_rows,
)
from workflow.models import AccessReason


def _filtered(qs, ids):
    return qs if ids is None else qs.filter(pk__in=ids)


def incoming_rows(ids: list[int] | None):
    letters = list(
        _filtered(IncomingLetter.objects.all(), ids)
        .values_list("pk", "registered_by_id", "answers_outgoing__executor_id")
        .iterator(chunk_size=10000)
    )
    departments = departments_of({r[1] for r in letters} | {r[2] for r in letters})
    for pk, registrar, reply_reader in letters:
        yield from user_rows(pk, [registrar], AccessReason.REGISTRAR, departments)
        yield from user_rows(pk, [reply_reader], AccessReason.REPLY, departments)


def outgoing_rows(ids: list[int] | None):
    letters = list(
        _filtered(OutgoingLetter.objects.all(), ids)
        .values_list("pk", "author_id", "executor_id")
        .iterator(chunk_size=10000)
    )
    departments = departments_of({r[1] for r in letters} | {r[2] for r in letters})
    for pk, author, executor in letters:
        yield from user_rows(pk, [author], AccessReason.AUTHOR, departments)
        yield from user_rows(pk, [executor], AccessReason.EXECUTOR, departments)


def register() -> None:
    register_access_source(IncomingLetter, incoming_rows)
    # who may see the letter we answer may see our reply
    register_access_source(OutgoingLetter, outgoing_rows, inherits=(IncomingLetter, "in_reply_to"))
    # the letters carry their rows' tokens (migration 0015)
    register_access_tokens(IncomingLetter)
    register_access_tokens(OutgoingLetter)
