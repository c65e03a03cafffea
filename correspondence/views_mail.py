"""«Входящая почта»: the queue of messages taken from the intake mailboxes, and the registration
form opened from one of them. Thin: read through selectors, write through services."""

from __future__ import annotations

import datetime as dt

import rules
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import TransitionNotAllowed

from correspondence.forms import CounterpartyCreateForm
from correspondence.forms_mail import MailRegisterForm
from correspondence.models import IncomingLetter
from correspondence.services.mail import mail_item_register, mail_matches
from crm.models import Counterparty
from intake import selectors as intake_selectors
from intake import services as intake_services
from intake.models import IntakeItem, ItemStatus, Mailbox
from storage.forms import uploads_keep

PAGE_SIZE = 25
TABS = {
    "new": ItemStatus.NEW,
    "dismissed": ItemStatus.DISMISSED,
    "registered": ItemStatus.REGISTERED,
}


def _may_sort_mail(user) -> bool:
    return rules.has_perm("intake.process_mail", user)


def _item_or_404(request: HttpRequest, pk: int) -> IntakeItem:
    if not _may_sort_mail(request.user):
        raise Http404  # never reveal that a message exists to someone who may not sort mail
    item = intake_selectors.item_detail(pk)
    if item is None:
        raise Http404
    return item


@require_GET
def mail_queue(request: HttpRequest) -> HttpResponse:
    if not _may_sort_mail(request.user):
        raise PermissionDenied
    tab = request.GET.get("tab", "new")
    if tab not in TABS:
        tab = "new"
    page = request.GET.get("page", "1")
    page = max(1, int(page)) if page.isdigit() else 1
    offset = (page - 1) * PAGE_SIZE
    # no COUNT over a growing table: one row more than a page says whether there is a next one
    rows = list(intake_selectors.items(TABS[tab])[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    matches = mail_matches(rows) if tab == "new" else {}
    incoming_type = ContentType.objects.get_for_model(IncomingLetter)
    letters = IncomingLetter.objects.in_bulk(
        [r.document_id for r in rows if r.document_type_id == incoming_type.pk]
    )
    keep_until = dt.timedelta(days=intake_services.KEEP_DISMISSED_DAYS)
    for row in rows:
        row.match = matches.get(row.pk)
        row.letter = letters.get(row.document_id) if row.document_id else None
        row.files = [a for a in row.attachments.all() if not a.is_body]
        row.refused = [a for a in row.files if a.refused]
        row.purge_on = row.decided_at + keep_until if row.decided_at else None
    return render(
        request,
        "correspondence/mail_queue.html",
        {
            "tab": tab,
            "rows": rows,
            "page": page,
            "has_next": has_next,
            "new_count": intake_selectors.open_items_label(),
            "failing": list(intake_selectors.failing_mailboxes()),
            "has_mailboxes": Mailbox.objects.filter(is_active=True).exists(),
            "keep_days": intake_services.KEEP_DISMISSED_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
def mail_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    if item.status != ItemStatus.NEW:
        return _sorted_item(request, item)
    match = mail_matches([item])[item.pk]
    form = MailRegisterForm(
        request.POST or None, request.FILES or None, user=request.user, item=item, match=match
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                letter = mail_item_register(
                    item_id=item.pk, user=request.user, **form.service_kwargs()
                )
            except TransitionNotAllowed as refused:
                messages.error(request, str(refused))
                return redirect("correspondence:mail-item", pk=item.pk)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>.',
                        _("Письмо зарегистрировано под номером"),
                        letter.get_absolute_url(),
                        letter.reg_number,
                    ),
                )
                return redirect("correspondence:mail-queue")
        messages.error(request, _("Письмо не зарегистрировано: исправьте отмеченные поля."))
        uploads_keep(form)
    counterparty = match.counterparty if not form.is_bound else None
    if form.is_bound and str(form.data.get("counterparty", "")).isdigit():
        counterparty = Counterparty.objects.filter(pk=form.data["counterparty"]).first()
    files = [a for a in item.attachments.all()]
    return render(
        request,
        "correspondence/mail_item.html",
        {
            "item": item,
            "match": match,
            "form": form,
            "counterparty": counterparty,
            "create_form": CounterpartyCreateForm(
                prefix="new", initial={"email": item.sender_email}
            ),
            "refused_files": [a for a in files if a.refused],
        },
    )


def _sorted_item(request: HttpRequest, item: IntakeItem) -> HttpResponse:
    letter = None
    if item.document_id and item.document_type.model_class() is IncomingLetter:
        letter = IncomingLetter.objects.filter(pk=item.document_id).first()
    return render(
        request,
        "correspondence/mail_item_sorted.html",
        {
            "item": item,
            "letter": letter,
            "files": [a for a in item.attachments.all()],
            "refused_files": [a for a in item.attachments.all() if a.refused],
            "keep_days": intake_services.KEEP_DISMISSED_DAYS,
        },
    )


@require_POST
def mail_item_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    try:
        intake_services.item_dismiss(item_id=item.pk, user=request.user)
    except TransitionNotAllowed as refused:
        messages.error(request, str(refused))
        return redirect("correspondence:mail-item", pk=item.pk)
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _("«%(subject)s» скрыто как не корреспонденция.") % {"subject": item},
            reverse("correspondence:mail-item", args=[item.pk]),
            _("Вернуть"),
        ),
    )
    return redirect("correspondence:mail-queue")


@require_POST
def mail_item_restore(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    try:
        intake_services.item_restore(item_id=item.pk, user=request.user)
    except TransitionNotAllowed as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Письмо возвращено в очередь входящей почты."))
    return redirect("correspondence:mail-item", pk=item.pk)
