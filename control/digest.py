"""The weekly digest: on Monday morning each head gets the overdue and stuck documents of their
scope by email (through the outbox), with links. Once per head and week; a head may switch it
off (``UserPreference.weekly_digest``), and ``ARGO_WEEKLY_DIGEST`` switches it off for everyone."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from argo_docs.models import UserPreference
from control import dashboard
from control.models import DigestSent
from control.scope import scope_for
from outbox.services import outbox_enqueue
from workflow.models import Department, Employee
from workflow.roles import GENERAL_DIRECTOR
from workflow.services import display_name, task_url

User = get_user_model()
LISTED = 30  # documents listed per section; the rest behind the dashboard link


def week_of(now: dt.datetime) -> dt.date:
    local = timezone.localdate(now)
    return local - dt.timedelta(days=local.weekday())


def digest_recipient_ids() -> list[int]:
    """Active heads of a department and general directors with an email, not opted out."""
    heads = set(Department.objects.filter(head__isnull=False).values_list("head_id", flat=True))
    heads |= set(
        Employee.objects.filter(roles__contains=[GENERAL_DIRECTOR]).values_list(
            "user_id", flat=True
        )
    )
    opted_out = UserPreference.objects.filter(weekly_digest=False).values_list("user_id", flat=True)
    return list(
        User.objects.filter(pk__in=heads, is_active=True)
        .exclude(Q(email="") | Q(pk__in=opted_out))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _line(task) -> str:
    subject = str(task.subject) if task.object_id and task.subject else task.title
    due = timezone.localtime(task.due_at).strftime("%d.%m.%Y") if task.due_at else "—"
    since = timezone.localtime(task.created_at).strftime("%d.%m.%Y")
    return _("• %(subject)s — %(who)s, с %(since)s, срок %(due)s\n  %(url)s") % {
        "subject": subject,
        "who": display_name(task.assignee),
        "since": since,
        "due": due,
        "url": f"{settings.SITE_URL}{task_url(task)}",
    }


def digest_text(user, *, now: dt.datetime | None = None) -> tuple[str, str, int, int] | None:
    """(subject, body, overdue, stuck) of ``user``'s digest; None when there is nothing to say."""
    now = now or timezone.now()
    scope = scope_for(user)
    if scope is None:
        return None
    overdue = dashboard.filtered_tasks(scope, state="overdue", now=now)
    stuck = dashboard.filtered_tasks(scope, state="stuck", now=now)
    overdue_count, stuck_count = overdue.count(), stuck.count()
    if not overdue_count and not stuck_count:
        return None
    control_url = f"{settings.SITE_URL}{reverse('control:dashboard')}"
    parts = [
        _("Сводка контроля исполнения на %(date)s.")
        % {"date": timezone.localdate(now).strftime("%d.%m.%Y")},
        "",
        _("Просрочено: %(n)s") % {"n": overdue_count},
        *[_line(task) for task in overdue[:LISTED]],
        "",
        _("Без движения: %(n)s") % {"n": stuck_count},
        *[_line(task) for task in stuck[:LISTED]],
        "",
        _("Все документы: %(url)s") % {"url": control_url},
        _("Отключить сводку: %(url)s")
        % {"url": f"{settings.SITE_URL}{reverse('control:digest-settings')}"},
    ]
    subject = _("Контроль исполнения: просрочено %(overdue)s, без движения %(stuck)s") % {
        "overdue": overdue_count,
        "stuck": stuck_count,
    }
    return subject, "\n".join(parts), overdue_count, stuck_count


def digest_send(*, user_id: int, now: dt.datetime | None = None) -> bool:
    """Write ``user``'s digest of this week to the outbox, once. True when one was written."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None or not user.email:
            return False
        week = week_of(now)
        if DigestSent.objects.filter(user=user, week=week).exists():
            return False
        content = digest_text(user, now=now)
        if content is None:
            return False
        subject, body, overdue, stuck = content
        sent = DigestSent.objects.create(user=user, week=week, overdue=overdue, stuck=stuck)
        outbox_enqueue(
            to=[user.email],
            subject=subject,
            body=body,
            document=sent,
            headers={"Auto-Submitted": "auto-generated"},
        )
    return True


def weekly_digest_send_all(*, now: dt.datetime | None = None) -> int:
    if not settings.ARGO_WEEKLY_DIGEST:
        return 0
    return sum(digest_send(user_id=pk, now=now) for pk in digest_recipient_ids())


def digest_preference_set(*, user, enabled: bool) -> UserPreference:
    with transaction.atomic():
        preference, _created = UserPreference.objects.select_for_update().get_or_create(user=user)
        preference.weekly_digest = enabled
        preference.save(update_fields=["weekly_digest"])
    return preference


def digest_enabled_for(user) -> bool:
    preference = UserPreference.objects.filter(user=user).first()
    return preference.weekly_digest if preference else True
