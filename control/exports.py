"""Excel exports of every dashboard table (through the product's shared spreadsheet helper)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow.services import display_name


def _types(rows):
    header = [_("Вид документа"), _("Открыто"), _("Просрочено"), _("Срок на этой неделе")]
    data = [[r.label, r.counts.open, r.counts.overdue, r.counts.week] for r in rows]
    return header, data, _("По видам документов")


def _people(departments):
    header = [
        _("Подразделение"),
        _("Сотрудник"),
        _("Открыто"),
        _("Просрочено"),
        _("Срок на этой неделе"),
    ]
    data = []
    for department in departments:
        name = department.department.name if department.department else _("Без подразделения")
        for person in department.people:
            c = person.counts
            data.append([name, display_name(person.user), c.open, c.overdue, c.week])
    return header, data, _("По сотрудникам")


TASK_HEADER = [
    gettext_lazy("Документ"),
    gettext_lazy("Задание"),
    gettext_lazy("У кого"),
    gettext_lazy("С какого момента"),
    gettext_lazy("Срок"),
]


def task_rows(tasks):
    return [
        [
            str(t.subject) if t.object_id else "",
            t.title,
            display_name(t.assignee),
            t.created_at,
            t.due_at,
        ]
        for t in tasks
    ]


def _stuck(tasks):
    return [str(h) for h in TASK_HEADER], task_rows(tasks[:20000]), _("Без движения")


def _stages(rows):
    header = [
        _("Вид документа"),
        _("Этап"),
        _("Шагов"),
        _("Медиана, раб. дней"),
        _("p90, раб. дней"),
    ]
    data = [[r.label, r.stage, r.steps, round(r.median, 2), round(r.p90, 2)] for r in rows]
    return header, data, _("Время по этапам")


def _on_time(rows):
    header = [
        _("Вид документа"),
        _("Сотрудник"),
        _("В срок"),
        _("С опозданием"),
        _("Доля в срок, %"),
    ]
    data = [[r.label, display_name(r.user), r.on_time, r.late, r.share] for r in rows]
    return header, data, _("Соблюдение сроков")


def _weeks(rows):
    header = [_("Неделя с"), _("В срок"), _("С опозданием")]
    return header, [[w.week, w.on_time, w.late] for w in rows], _("По неделям")


EXPORTS = {
    "types": _types,
    "people": _people,
    "stuck": _stuck,
    "stages": _stages,
    "ontime": _on_time,
    "weeks": _weeks,
}
