"""The company list's rows, built in Python: 50 companies a page through the template were a third
of the page's time at 100k companies (7 of 23 ms). The markup is the one the template had."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from argo_docs.fast_html import date, escape, labels, person
from crm.models import CounterpartyCategory, ProcessingStatus


def company_rows(companies, *, searching: bool) -> SafeString:
    categories = labels(CounterpartyCategory)
    statuses = labels(ProcessingStatus)
    exact = f' <span class="badge text-bg-success">{escape(_("точное совпадение"))}</span>'
    parts = []
    for company in companies:
        badge = exact if searching and getattr(company, "search_rank", 2) < 2 else ""
        status = (
            '<span class="badge text-bg-light border">'
            f"{statuses.get(company.status) or escape(company.status)}</span>"
            if company.is_client
            else ""
        )
        industry = escape(company.industry) if company.industry_id is not None else ""
        responsible = person(company.responsible) if company.responsible_id is not None else ""
        parts.append(
            '<tr data-testid="company-row">'
            f'<td class="crm-wrap"><a href="{escape(company.get_absolute_url())}">'
            f"{escape(company.name)}</a>{badge}"
            f'<div class="small text-secondary">'
            f"{categories.get(company.category) or escape(company.category)}</div></td>"
            f'<td class="d-none d-md-table-cell">{escape(company.inn)}</td>'
            f"<td>{status}</td>"
            f'<td class="d-none d-md-table-cell">{industry}</td>'
            f'<td class="d-none d-md-table-cell">{responsible}</td>'
            f'<td class="d-none d-lg-table-cell">{date(company.last_communication_at) or "—"}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
