"""One poll of one mailbox: take every unprocessed message, commit its item, then mark it
processed on the server.

The order is what makes a crash harmless. A message is marked only after its item committed, so
a worker killed mid-batch loses nothing (unmarked messages are fetched again) and duplicates
nothing (a stored UID or Message-ID is recognised and just marked). Two polls of one mailbox
never overlap: each holds a PostgreSQL advisory lock, which dies with its connection.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from intake import imap
from intake.models import IntakeItem, Mailbox
from intake.services import (
    CREATED,
    DUPLICATE,
    intake_user,
    item_store,
    mailbox_failure_record,
    mailbox_success_record,
)

logger = logging.getLogger(__name__)

LOCK_CLASS = 0x1A7A  # the first key of our advisory locks: "intake mailbox poll"
FETCH_CHUNK = 10  # messages per FETCH round trip; each chunk is marked once its items committed
MAX_MESSAGES_PER_POLL = 500
TIME_BUDGET_SECONDS = 60  # with the connect timeout, below the 120 s job timeout


@dataclass
class PollResult:
    busy: bool = False
    created: int = 0
    duplicates: int = 0
    marked: int = 0
    failed: int = 0
    remaining: int = 0
    error: str = ""


@contextmanager
def _poll_lock(mailbox_id: int):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, mailbox_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, mailbox_id])


def mailbox_poll(
    *,
    mailbox_id: int,
    max_messages: int = MAX_MESSAGES_PER_POLL,
    time_budget: float = TIME_BUDGET_SECONDS,
) -> PollResult:
    """Poll one mailbox now. Returns at once (``busy``) when another poll of it is running."""
    with _poll_lock(mailbox_id) as acquired:
        if not acquired:
            return PollResult(busy=True)
        mailbox = (
            Mailbox.objects.filter(pk=mailbox_id, is_active=True)
            .select_related("default_legal_entity")
            .first()
        )
        if mailbox is None:
            return PollResult()
        Mailbox.objects.filter(pk=mailbox_id).update(last_poll_at=timezone.now())
        result = PollResult()
        try:
            with imap.session(mailbox) as server:
                _drain(mailbox, server, result, max_messages, time.monotonic() + time_budget)
        except imap.MailboxFailure as failure:
            result.error = str(failure)
            mailbox_failure_record(mailbox_id=mailbox_id, error=result.error)
        else:
            mailbox_success_record(mailbox_id=mailbox_id)
        if result.created or result.duplicates or result.failed:
            logger.info(
                "intake %s: %s new, %s duplicate, %s failed, %s left",
                mailbox.name,
                result.created,
                result.duplicates,
                result.failed,
                result.remaining,
            )
        return result


def _drain(mailbox: Mailbox, server, result: PollResult, max_messages: int, deadline: float):
    uid_validity = server.uid_validity()
    uids = server.unprocessed_uids()
    # stored before, but the mark on the server was lost (the worker died in between)
    known = set(
        IntakeItem.objects.filter(
            mailbox=mailbox, uid_validity=uid_validity, uid__in=uids
        ).values_list("uid", flat=True)
    )
    if known:
        server.mark_processed(sorted(known))
        result.marked += len(known)
    todo = [uid for uid in uids if uid not in known]
    result.remaining = max(0, len(todo) - max_messages)
    todo = todo[:max_messages]
    uploader = intake_user() if todo else None
    for start in range(0, len(todo), FETCH_CHUNK):
        if time.monotonic() > deadline:
            result.remaining += len(todo) - start
            break
        done = []
        for message in server.fetch(todo[start : start + FETCH_CHUNK]):
            try:
                _item, outcome = item_store(
                    mailbox=mailbox,
                    uid_validity=uid_validity,
                    uid=message.uid,
                    raw=message.raw,
                    received_at=message.internal_date,
                    uploader=uploader,
                )
            except Exception:
                # this message stays on the server unmarked and is tried again next poll
                logger.exception("intake %s: message UID %s not stored", mailbox.name, message.uid)
                result.failed += 1
                continue
            result.created += outcome == CREATED
            result.duplicates += outcome == DUPLICATE
            done.append(message.uid)
        server.mark_processed(done)
        result.marked += len(done)
