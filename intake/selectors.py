"""Reads of the intake: the queue, the navigation counter, failing mailboxes, file access."""

from __future__ import annotations

from functools import lru_cache

import rules
from django.db.models import Prefetch, QuerySet

from intake.models import IntakeAttachment, IntakeItem, ItemStatus, Mailbox
from workflow.context_processors import capped_sql, run_capped


def open_items() -> QuerySet:
    """New items (the partial index of open items serves them)."""
    return IntakeItem.objects.filter(status=ItemStatus.NEW)


@lru_cache(maxsize=1)
def _open_items_count_sql() -> tuple[str, tuple]:
    # the same statement for everyone: compiled once per process, not on every page
    sql, params = capped_sql([open_items()])
    return sql, tuple(params)


def open_items_label() -> str:
    """The count of new items as the navigation bar and the queue show it («99+» past 99)."""
    return run_capped(IntakeItem.objects.db, *_open_items_count_sql())[0]


def items(status: str = ItemStatus.NEW) -> QuerySet:
    ordering = ["-received_at", "-id"] if status == ItemStatus.NEW else ["-decided_at", "-id"]
    return (
        IntakeItem.objects.filter(status=status)
        .select_related("mailbox", "decided_by", "document_type")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=IntakeAttachment.objects.select_related("stored_file").order_by(
                    "position", "id"
                ),
            )
        )
        .order_by(*ordering)
    )


def item_detail(pk: int) -> IntakeItem | None:
    return items_any().filter(pk=pk).first()


def items_any() -> QuerySet:
    return IntakeItem.objects.select_related(
        "mailbox", "mailbox__default_legal_entity", "decided_by", "document_type"
    ).prefetch_related(
        Prefetch(
            "attachments",
            queryset=IntakeAttachment.objects.select_related("stored_file").order_by(
                "position", "id"
            ),
        )
    )


def failing_mailboxes() -> QuerySet:
    return Mailbox.objects.filter(is_active=True).exclude(last_error="").order_by("name")


def user_may_download(user, stored_file) -> bool:
    """Storage asks this: whoever sorts the mail may open the files of intake items."""
    return (
        rules.has_perm("intake.process_mail", user)
        and IntakeAttachment.objects.filter(stored_file=stored_file).exists()
    )
