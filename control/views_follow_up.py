"""«Напомнить мне…» from a document's card: any document type of the route engine, opened to the
user by that type's own visibility rule (the registry's ``visible_ids``)."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from control.follow_up import follow_up_schedule
from control.forms import FollowUpForm
from workflow.routes import registry


def follow_up_page(request: HttpRequest, *, subject, url: str, back_url: str) -> HttpResponse:
    """The reminder form about ``subject``; on success back to ``back_url`` with the moment."""
    form = FollowUpForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            remind_at = form.cleaned_data["remind_at"]
            follow_up_schedule(
                user=request.user,
                subject=subject,
                remind_at=remind_at,
                note=form.cleaned_data["note"],
                url=url,
            )
            when = timezone.localtime(remind_at).strftime("%d.%m.%Y %H:%M")
            messages.success(request, _("Напомним %(when)s.") % {"when": when})
            return redirect(back_url)
        messages.error(request, _("Проверьте поля формы: исправьте отмеченные ошибки."))
    return render(
        request,
        "control/follow_up.html",
        {"form": form, "subject": subject, "cancel_url": back_url},
    )


@require_http_methods(["GET", "POST"])
def follow_up_document(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    if not registry.document_visible(request.user, code, pk):
        raise Http404
    model = apps.get_model(registry.document_type(code).model)
    subject = model.objects.get(pk=pk)
    url = subject.get_absolute_url()
    return follow_up_page(request, subject=subject, url=url, back_url=url)
