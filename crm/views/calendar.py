"""The calendar: week and month views with titles, manual events, the iCalendar feed."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm import selectors
from crm.forms_calendar import EventForm
from crm.ical import feed_for
from crm.models import CalendarEvent, CalendarFeedToken, Counterparty, CrmSettings
from crm.services import calendar as calendar_services
from crm.views.common import form_error, require


def _parse_day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def week_title(start: dt.date, end: dt.date) -> str:
    """«10 – 16 марта 2025», «28 апреля – 4 мая 2025», «30 декабря 2024 – 5 января 2025»."""
    if start.year != end.year:
        return f"{formats.date_format(start, 'j E Y')} – {formats.date_format(end, 'j E Y')}"
    if start.month != end.month:
        return f"{formats.date_format(start, 'j E')} – {formats.date_format(end, 'j E Y')}"
    return f"{start.day} – {formats.date_format(end, 'j E Y')}"


def calendar_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "crm.use_calendar")
    mode = "month" if request.GET.get("view") == "month" else "week"
    day = _parse_day(request.GET.get("date"))
    if mode == "week":
        start = day - dt.timedelta(days=day.weekday())
        days = [start + dt.timedelta(days=i) for i in range(7)]
        previous, following = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
        title = week_title(days[0], days[-1])
    else:
        first = day.replace(day=1)
        start = first - dt.timedelta(days=first.weekday())
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        end = last + dt.timedelta(days=6 - last.weekday())
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = last + dt.timedelta(days=1)
        title = formats.date_format(first, "F Y")
    tz = timezone.get_current_timezone()
    range_start = dt.datetime.combine(days[0], dt.time.min, tzinfo=tz)
    range_end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    by_day: dict[dt.date, list] = {d: [] for d in days}
    for event in selectors.events_between(request.user, range_start, range_end):
        local_day = timezone.localtime(event.starts_at).date()
        if local_day in by_day:
            by_day[local_day].append(event)
    token = calendar_services.feed_token_for(request.user)
    return render(
        request,
        "crm/calendar.html",
        {
            "mode": mode,
            "day": day,
            "title": title,
            "days": [(d, by_day[d]) for d in days],
            "weeks": [[(d, by_day[d]) for d in days[i : i + 7]] for i in range(0, len(days), 7)],
            "previous": previous,
            "following": following,
            "today": timezone.localdate(),
            "feed_url": request.build_absolute_uri(
                reverse("crm:calendar-feed", args=[token.token])
            ),
        },
    )


def _back(request: HttpRequest, event: CalendarEvent | None = None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    if event is not None:
        day = timezone.localtime(event.starts_at).date()
        return f"{reverse('crm:calendar')}?view=week&date={day:%Y-%m-%d}"
    return reverse("crm:calendar")


@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "crm.use_calendar")
    company = None
    company_id = request.POST.get("company") or request.GET.get("company")
    if company_id and str(company_id).isdigit():
        company = get_object_or_404(Counterparty, pk=company_id)
    initial = {"reminder_minutes": str(CrmSettings.load().reminder_minutes)}
    day = request.GET.get("date")
    if day:
        initial["starts_at"] = dt.datetime.combine(_parse_day(day), dt.time(10, 0))
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = calendar_services.event_add(
                user=request.user, company=company, **form.cleaned_data
            )
        except ValidationError as exc:
            form_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Событие добавлено в календарь."))
            return redirect(_back(request, event))
    return render(
        request,
        "crm/event_form.html",
        {"form": form, "company": company, "event": None, "next": _back(request)},
        status=400 if request.method == "POST" else 200,
    )


def _own_event(request: HttpRequest, pk: int) -> CalendarEvent:
    require(request.user, "crm.use_calendar")
    event = (
        CalendarEvent.objects.select_related("company")
        .filter(pk=pk, owner=request.user, manual=True)
        .first()
    )
    if event is None:
        raise Http404
    return event


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _own_event(request, pk)
    form = EventForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = calendar_services.event_update(
                event_id=pk, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_error(form, exc)
        except CalendarEvent.DoesNotExist:
            raise Http404 from None
        else:
            messages.success(request, _("Событие сохранено."))
            return redirect(_back(request, event))
    return render(
        request,
        "crm/event_form.html",
        {"form": form, "company": event.company, "event": event, "next": _back(request, event)},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = _own_event(request, pk)
    target = _back(request, event)
    calendar_services.event_delete(event_id=pk, user=request.user)
    messages.success(request, _("Событие удалено."))
    return redirect(target)


@require_POST
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    require(request.user, "crm.use_calendar")
    calendar_services.feed_token_regenerate(user=request.user)
    messages.success(request, _("Создана новая ссылка; старая больше не работает."))
    return redirect("crm:calendar")


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal iCalendar feed: the secret token in the URL is the only credential, so
    calendar apps can subscribe without a session."""
    feed_token = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed_token is None or not feed_token.user.is_active:
        raise Http404
    response = HttpResponse(feed_for(feed_token.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="argo-calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
