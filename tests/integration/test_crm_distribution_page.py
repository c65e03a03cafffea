"""The distribution page of the head of sales: the preview equals the run, «Распределить
сейчас» makes one week however often it is pressed, past weeks show each manager's progress,
the settings are edited there, and the admin cannot move a week's cursor."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from crm.models import (
    CallAssignment,
    Counterparty,
    CounterpartyCategory,
    CrmSettings,
    DistributionWeek,
    Industry,
    ProcessingStatus,
)
from crm.services.distribution import (
    distribution_plan,
    distribution_run,
    week_start_of,
)
from tests.factories import AbsenceFactory, UserFactory, employee
from workflow.models import AbsenceKind

MONDAY = dt.date(2026, 11, 23)


def _clients(n, **fields):
    fields.setdefault("category", CounterpartyCategory.CLIENT)
    return Counterparty.objects.bulk_create(
        Counterparty(name=f"ООО «Клиент {i:03}»", name_key=f"ооо клиент {i:03}", **fields)
        for i in range(n)
    )


def _settings(**fields):
    settings = CrmSettings.load()
    for key, value in fields.items():
        setattr(settings, key, value)
    settings.save()
    return settings


def test_the_preview_equals_the_run(org):
    """GIVEN 25 clients (and a government body and a refused client, which never take part),
    a cursor in the middle, quota 4, three managers of whom one is on sick leave WHEN the
    preview is computed and then the week is run THEN each manager gets exactly the companies
    the preview showed, the absent one is listed with the reason, and the cursor moves to the
    preview's last company."""
    companies = _clients(25)
    Counterparty.objects.create(name="ГУ МЧС", category=CounterpartyCategory.GOVERNMENT)
    Counterparty.objects.create(
        name="ООО «Отказник»", category=CounterpartyCategory.CLIENT, status=ProcessingStatus.REFUSED
    )
    third = employee("seller3", org["departments"]["sales"], roles=["manager"])
    AbsenceFactory(
        employee=third,
        kind=AbsenceKind.SICK_LEAVE,
        starts_on=MONDAY,
        ends_on=MONDAY,
        deputy=org["seller"],
    )
    _settings(distribution_quota=4, distribution_cursor=companies[20].pk)
    plan = distribution_plan(MONDAY)
    preview = {s.manager.username: s.company_ids for s in plan.shares}
    assert set(preview) == {"seller", "seller2"}
    assert [a.employee.username for a in plan.away] == ["seller3"]
    assert plan.away[0].get_kind_display() == "Больничный"

    week = distribution_run(today=MONDAY)
    result = {}
    for username, company_id in (
        CallAssignment.objects.filter(week=week)
        .order_by("id")
        .values_list("call_list__manager__username", "company_id")
    ):
        result.setdefault(username, []).append(company_id)
    assert result == preview
    ids = [c.pk for c in companies]
    assert preview["seller"] == [ids[21], ids[23], ids[0], ids[2]]  # wraps around the base
    assert week.cursor_after == plan.cursor_after == CrmSettings.load().distribution_cursor


def test_only_the_configured_categories_and_industries_take_part(org):
    trade = Industry.objects.create(name="Торговля")
    _clients(3, industry=trade)
    _clients(3)
    Counterparty.objects.create(name="ООО «Арендатор»", category=CounterpartyCategory.TENANT)
    settings = _settings(distribution_categories=[CounterpartyCategory.CLIENT])
    settings.distribution_industries.set([trade])
    plan = distribution_plan(MONDAY)
    chosen = Counterparty.objects.filter(pk__in=plan.company_ids)
    assert chosen.count() == 3 and set(chosen.values_list("industry", flat=True)) == {trade.pk}


def test_run_now_twice_creates_one_week(org, client):
    """GIVEN the head of sales on the page WHEN she presses «Распределить сейчас», confirms,
    and submits the confirmation again (a double click, a second tab) THEN one week exists
    with one list per manager, marked as hers; without the tick nothing runs."""
    _clients(10)
    client.force_login(org["sales_head"])
    page = client.get("/crm/distribution/").content.decode()
    assert "Распределить сейчас" in page
    confirm = client.get("/crm/distribution/run/")
    assert confirm.status_code == 200
    assert len(confirm.context["shares"]) == 2
    response = client.post("/crm/distribution/run/", {})
    assert response.status_code == 400 and not DistributionWeek.objects.exists()
    assert client.post("/crm/distribution/run/", {"confirm": "on"}).status_code == 302
    assert client.post("/crm/distribution/run/", {"confirm": "on"}).status_code == 302
    response = client.get("/crm/distribution/run/", follow=True)
    assert "уже распределена" in response.content.decode()
    assert DistributionWeek.objects.count() == 1
    week = DistributionWeek.objects.get()
    assert week.week_start == week_start_of(timezone.localdate())
    assert week.run_by == org["sales_head"]
    assert week.lists.count() == 2
    page = client.get("/crm/distribution/").content.decode()
    assert "Распределить сейчас" not in page and "Распределена" in page


def test_past_weeks_show_each_managers_progress(org, client):
    from crm.services.distribution import call_mark_done

    _clients(8)
    _settings(distribution_quota=2)
    first = distribution_run(today=MONDAY)
    second = distribution_run(today=MONDAY + dt.timedelta(days=7))
    assignment = CallAssignment.objects.filter(week=first, call_list__manager=org["seller"]).first()
    call_mark_done(assignment_id=assignment.pk, user=org["seller"], result="Ок")
    client.force_login(org["sales_head"])
    weeks = client.get("/crm/distribution/").context["weeks"]
    assert [w["week"] for w in weeks] == [second, first]
    progress = {r.manager.username: (r.assigned, r.called, r.percent) for r in weeks[1]["managers"]}
    assert progress == {"seller": (2, 1, 50), "seller2": (2, 0, 0)}
    assert (weeks[1]["called"], weeks[1]["assigned"]) == (1, 4)


def test_settings_are_edited_on_the_page_and_move_the_schedule(org, client):
    """GIVEN the page WHEN the head of sales sets Wednesday 10:30, 12 per manager, tenants only
    THEN the settings and the weekly schedule follow; a bad quota gets a message and keeps
    the input; the cursor is not among the inputs."""
    from django_q.models import Schedule

    trade = Industry.objects.create(name="Торговля")
    client.force_login(org["sales_head"])
    data = {
        "weekday": 2,
        "time": "10:30",
        "quota": 12,
        "categories": [CounterpartyCategory.TENANT],
        "industries": [trade.pk],
        "distribution_cursor": 999,
    }
    assert client.post("/crm/distribution/settings/", data).status_code == 302
    settings = CrmSettings.load()
    assert (settings.distribution_weekday, settings.distribution_quota) == (2, 12)
    assert settings.distribution_time == dt.time(10, 30)
    assert settings.distribution_categories == [CounterpartyCategory.TENANT]
    assert list(settings.distribution_industries.all()) == [trade]
    assert settings.distribution_cursor == 0
    next_run = timezone.localtime(Schedule.objects.get(name="crm.weekly_distribution").next_run)
    assert (next_run.weekday(), next_run.hour, next_run.minute) == (2, 10, 30)
    response = client.post("/crm/distribution/settings/", {**data, "quota": 0, "time": "11:00"})
    assert response.status_code == 400
    assert response.context["settings_form"]["time"].value() == "11:00"
    assert CrmSettings.load().distribution_quota == 12


def test_who_may_open_the_page(org, client):
    """GIVEN the page WHEN anonymous → login; an employee of another department → 404;
    a manager → her own call list (or the company list); the head of sales, the general
    director and an administrator → the page; only they may run or change settings."""
    assert client.get("/crm/distribution/").status_code == 302
    client.force_login(org["lawyer"])
    assert client.get("/crm/distribution/").status_code == 404
    assert client.post("/crm/distribution/run/", {"confirm": "on"}).status_code == 404
    assert client.post("/crm/distribution/settings/", {"quota": 5}).status_code == 404
    client.force_login(org["seller"])
    assert client.get("/crm/distribution/").status_code == 302
    assert client.post("/crm/distribution/run/", {"confirm": "on"}).status_code == 404
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    for user in (org["sales_head"], org["gendir"], admin):
        client.force_login(user)
        assert client.get("/crm/distribution/").status_code == 200
    assert not DistributionWeek.objects.exists()


def test_the_admin_cannot_change_a_week_or_the_cursor(org, client):
    """GIVEN a distributed week WHEN an administrator opens it in the admin THEN every field is
    read-only with the reason shown, it cannot be added, changed or deleted there, and the
    settings' cursor is read-only too."""
    _clients(4)
    week = distribution_run(today=MONDAY)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/crm/distributionweek/{week.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="week_start"' not in html and 'name="cursor_after"' not in html
    assert "Недели создаёт только распределение" in html
    response = client.post(
        f"/admin/crm/distributionweek/{week.pk}/change/",
        {"week_start": "2020-01-06", "cursor_after": 0},
    )
    assert response.status_code == 403
    assert client.get("/admin/crm/distributionweek/add/").status_code == 403
    assert client.post(f"/admin/crm/distributionweek/{week.pk}/delete/").status_code == 403
    week.refresh_from_db()
    assert week.week_start == MONDAY
    html = client.get("/admin/crm/crmsettings/1/change/").content.decode()
    assert 'name="distribution_cursor"' not in html
    assert "Курсор очереди меняет только само распределение" in html


@pytest.mark.parametrize("now", [dt.datetime(2026, 11, 23, 8, 0), dt.datetime(2026, 11, 24, 8, 0)])
def test_the_page_shows_the_next_scheduled_run(org, client, now):
    from crm.services.distribution import schedule_reanchor

    tz = timezone.get_current_timezone()
    with time_machine.travel(now.replace(tzinfo=tz), tick=False):
        schedule_reanchor(CrmSettings.load())
        client.force_login(org["sales_head"])
        context = client.get("/crm/distribution/").context
    next_at = context["next_at"]
    assert (next_at.weekday(), next_at.hour) == (0, 9)
    assert context["plan"].week_start == next_at.date()
