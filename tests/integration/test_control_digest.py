"""The Monday digest to heads: overdue and stuck documents of their scope with links, through
the outbox to a real SMTP server; once per week; off per user and globally."""

import datetime as dt

import pytest
from django.utils import timezone
from django_q.models import Schedule

from argo_docs.models import UserPreference
from control.digest import digest_recipient_ids, weekly_digest_send_all
from control.jobs import weekly_digest
from control.models import DigestSent
from outbox.jobs import outbox_flush
from tests.engine_app.models import Paper
from workflow.calendar import working_days_before
from workflow.models import Task
from workflow.services import INSTRUCTION, task_create


@pytest.fixture
def desk(org):
    now = timezone.now()
    late = Paper.objects.create(title="Просроченный регламент", author=org["gendir"])
    held = Paper.objects.create(title="Забытое положение", author=org["gendir"])
    legal = Paper.objects.create(title="Договор юриста", author=org["gendir"])
    task_create(
        kind=INSTRUCTION,
        title="Согласовать",
        assignee=org["seller"],
        subject=late,
        due_at=now - dt.timedelta(days=3),
    )
    stuck = task_create(
        kind=INSTRUCTION, title="Рассмотреть", assignee=org["seller2"], subject=held
    )
    Task.objects.filter(pk=stuck.pk).update(created_at=working_days_before(now, 9))
    task_create(
        kind=INSTRUCTION,
        title="Проверить",
        assignee=org["lawyer"],
        subject=legal,
        due_at=now - dt.timedelta(days=1),
    )
    return org


def _mail_to(smtp, user):
    """The digests ``user`` received (task notifications arrive too)."""
    return [
        r.message
        for r in smtp.handler.received
        if r.rcpt_tos == [user.email] and "Контроль исполнения" in r.message["Subject"]
    ]


def test_each_head_gets_the_overdue_and_stuck_documents_of_their_scope_once(desk, smtp, settings):
    """GIVEN an overdue paper of the seller, a paper the other seller has held 9 working days and
    an overdue paper of the lawyer WHEN the Monday job runs twice and the outbox is flushed
    THEN the sales head gets one email listing the first two with links to their tasks, never
    the lawyer's; the general director's lists all three; the lawyer's (who heads the legal
    department) lists only his."""
    settings.SITE_URL = "https://docs.argo.example"
    assert weekly_digest() == 3
    assert weekly_digest() == 0  # the same week: nothing new
    outbox_flush()
    (mail,) = _mail_to(smtp, desk["sales_head"])
    body = mail.get_content()
    assert "просрочено 1, без движения 1" in mail["Subject"]
    assert "Просроченный регламент" in body and "Забытое положение" in body
    assert "Договор юриста" not in body
    assert "https://docs.argo.example/tasks/" in body
    assert "https://docs.argo.example/control/" in body
    (general,) = _mail_to(smtp, desk["gendir"])
    assert "Договор юриста" in general.get_content()
    assert "просрочено 2, без движения 1" in general["Subject"]
    (legal,) = _mail_to(smtp, desk["lawyer"])
    assert "Просроченный регламент" not in legal.get_content()
    assert DigestSent.objects.count() == 3
    assert _mail_to(smtp, desk["seller"]) == []  # not a head


def test_a_head_may_switch_it_off_and_so_may_the_administrator(client, desk, settings):
    client.force_login(desk["sales_head"])
    assert client.post("/control/digest/", {}).status_code == 302
    assert UserPreference.objects.get(user=desk["sales_head"]).weekly_digest is False
    assert desk["sales_head"].pk not in digest_recipient_ids()
    assert weekly_digest_send_all() == 2
    client.post("/control/digest/", {"weekly_digest": "on"})
    assert desk["sales_head"].pk in digest_recipient_ids()

    settings.ARGO_WEEKLY_DIGEST = False
    DigestSent.objects.all().delete()
    assert weekly_digest_send_all() == 0
    assert "отключена администратором" in client.get("/control/digest/").content.decode()


def test_nothing_to_report_sends_nothing(org):
    assert weekly_digest_send_all() == 0


def test_the_schedule_runs_weekly_on_monday_morning(db):
    schedule = Schedule.objects.get(name="control.weekly_digest")
    assert schedule.func == "control.jobs.weekly_digest" and schedule.schedule_type == "W"
    local = timezone.localtime(schedule.next_run)
    assert local.weekday() == 0 and local.hour == 8
