"""The approval sheet (лист согласования) as a PDF, from the route's steps: every round, with
preparation, each approver and who signed the invoice and the contract, their positions and
decisions. A vendored Cyrillic font."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from contracts.services.naming import amount_text

FONTS = Path(__file__).resolve().parent / "fonts"
HEADERS = (
    (gettext_lazy("Этап"), 36),
    (gettext_lazy("Участник"), 38),
    (gettext_lazy("Должность"), 34),
    (gettext_lazy("Решение"), 34),
    (gettext_lazy("Поступило"), 25),
    (gettext_lazy("Срок"), 25),
    (gettext_lazy("Дата решения"), 25),
    (gettext_lazy("В срок"), 14),
    (gettext_lazy("Комментарий"), 46),
)


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else "—"


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


def _position(user) -> str:
    employee = getattr(user, "employee", None) if user is not None else None
    return employee.position if employee is not None and employee.position else "—"


def _decision(step) -> str:
    text = str(step.status_label)
    if step.decided_by_id and step.decided_by_id != step.participant_id:
        text += " " + _("(решение принял(а) %(who)s)") % {"who": _who(step.decided_by)}
    elif step.deputy_id and not step.decided_at:
        text += " " + _("(замещает %(who)s)") % {"who": _who(step.deputy)}
    return text


def _on_time(step) -> str:
    on_time = step.on_time
    return "—" if on_time is None else (_("да") if on_time else _("нет"))


def sheet_rounds(route) -> list[tuple[str, str, list[list[str]]]]:
    """Every round, the latest first: its title, the revision note, and one row per step (the
    stage's name on its first row) in the columns of ``HEADERS``."""
    rounds = []
    for round_view in route.rounds if route else []:
        title = _("Круг %(n)s: %(outcome)s") % {
            "n": round_view.round.number,
            "outcome": round_view.round.get_outcome_display(),
        }
        note = round_view.round.note
        rows = [
            [
                stage.stage.name if index == 0 else "",
                _who(step.participant),
                _position(step.participant),
                _decision(step),
                _fmt(step.started_at),
                _fmt(step.due_at),
                _fmt(step.decided_at),
                _on_time(step),
                step.comment or "",
            ]
            for stage in round_view.stages
            for index, step in enumerate(stage.steps)
        ]
        rounds.append((title, _("Что исправлено: %(note)s") % {"note": note} if note else "", rows))
    return rounds


def approval_sheet(contract, route) -> bytes:
    """``route``: ``workflow.routes.selectors.route_view(contract)`` (None before submission)."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, _("Лист согласования"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    lines = [
        contract.name,
        _("Контрагент: %(v)s") % {"v": contract.counterparty.name},
        _("Сумма: %(v)s ₽") % {"v": amount_text(contract.amount)},
        _("Источник финансирования: %(v)s") % {"v": contract.fund or "—"},
        _("Инициатор: %(v)s") % {"v": _who(contract.initiator)},
        _("Состояние: %(v)s") % {"v": contract.get_status_display()},
    ]
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for title, note, rows in sheet_rounds(route):
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if note:
            pdf.set_font("DejaVu", "", 9)
            pdf.multi_cell(0, 5, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "B", 8)
        with pdf.table(
            col_widths=[width for _label, width in HEADERS], text_align="LEFT", line_height=5
        ) as table:
            table.row([str(label) for label, _width in HEADERS])
            pdf.set_font("DejaVu", "", 8)
            for row in rows:
                table.row(row)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(0, 5, _("Сформировано: %(v)s") % {"v": _fmt(timezone.now())})
    return bytes(pdf.output())
