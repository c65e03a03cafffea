"""Demo memos in the states of the flow (``manage.py demo_data``). Idempotent."""

from __future__ import annotations

from django.utils import timezone

from memos.models import Memo
from memos.services import memo_create, memo_decide, memo_submit
from workflow import calendar
from workflow.routes.services import step_decide
from workflow.selectors import tasks_of

MEMOS = [  # author, addressee, subject, text
    ("manager1", "gendir", "О замене кофемашины на ресепшн", "Кофемашина сломалась третий раз."),
    ("manager2", "gendir", "О графике уборки переговорных", "Убирать переговорные до 9:00."),
    ("lawyer", "gendir", "О проверке доверенностей", "У части доверенностей истекает срок."),
    (
        "accountant",
        "gendir",
        "О втором принтере в бухгалтерию",
        "В конце месяца очередь на печать.",
    ),
    ("manager1", "director", "Об отгуле 15-го числа", "Прошу отгул за работу в выходной."),
]


def load(*, users, entities) -> None:
    if Memo.objects.exists():
        return
    memos = []
    for author, to, subject, text in MEMOS:
        data = {"addressee": users[to], "subject": subject, "text": text}
        memos.append(memo_create(user=users[author], data=data, acknowledgers=[users["hotel"]]))
    for memo in memos[:4]:  # the last one stays a draft
        memo_submit(memo_id=memo.pk, user=memo.author)

    def task(memo, who):
        return tasks_of(memo).get(assignee=users[who], status="open").pk

    def decide(memo, who, decision, comment=""):
        step_decide(task_id=task(memo, who), user=users[who], decision=decision, comment=comment)

    decide(memos[0], "director", "approve")  # now waits for the general director's decision
    decide(memos[1], "director", "return", "Укажите, с какой даты и сколько это стоит.")
    soon = calendar.add_working_days(timezone.localdate(), 5)
    resolution = {"resolution": "Проверить и переоформить до конца недели.", "acknowledgers": []}
    executors = [(users["office"], soon), (users["accountant"], soon)]
    data = {"decision": "approve", "executors": executors, **resolution}
    memo_decide(task_id=task(memos[2], "gendir"), user=users["gendir"], data=data)
    decide(memos[2], "office", "done", "Две доверенности переоформлены.")
    data = {"decision": "reject", "comment": "Нет бюджета до следующего квартала."}
    memo_decide(task_id=task(memos[3], "gendir"), user=users["gendir"], data=data)
