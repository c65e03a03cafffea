"""What the registration form suggests once the counterparty is chosen: the control date from the
route rule of its category (working days on the production calendar), and the outgoing letters
sent to it that the new letter may answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from correspondence.models import OutgoingLetter, RouteRule
from workflow import calendar


@dataclass(frozen=True)
class ControlSuggestion:
    date: dt.date
    working_days: int
    rule: str


def control_date_suggested(
    counterparty, *, start: dt.date | None = None
) -> ControlSuggestion | None:
    """The route rule's default term for the counterparty's category, counted in working days
    from ``start`` (today by default); None when the rule suggests nothing."""
    if counterparty is None:
        return None
    rule = RouteRule.objects.filter(category=counterparty.category, is_active=True).first()
    if rule is None or not rule.control_working_days:
        return None
    start = start or timezone.localdate()
    return ControlSuggestion(
        date=calendar.add_working_days(start, rule.control_working_days),
        working_days=rule.control_working_days,
        rule=rule.name,
    )


def answerable_outgoing(counterparty_id):
    """Our letters actually sent to this counterparty, newest first: what a reply may answer."""
    if not counterparty_id:
        return OutgoingLetter.objects.none()
    return (
        OutgoingLetter.objects.filter(counterparty_id=counterparty_id, sent_on__isnull=False)
        .exclude(reg_number="")
        .select_related("counterparty")
        .order_by("-sent_on", "-pk")
    )
