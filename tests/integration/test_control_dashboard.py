"""The control dashboard (/control/): scope (a head sees their subtree, an employee gets 404),
the open/overdue/this-week figures against a direct recount, the stuck documents with a per-type
threshold, stage times (median/p90 in working days) on a scripted flow with hand-computed values,
on-time against late per person and week, the Excel exports, and a bounded number of queries."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from control import dashboard, stats
from control.jobs import rollup_refresh
from control.models import StuckThreshold
from control.scope import Scope, scope_for
from tests.engine_app.models import Paper
from workflow.models import (
    Route,
    RouteStage,
    RouteStep,
    StepKind,
    StepStatus,
    Task,
    TaskStatus,
)
from workflow.services import INSTRUCTION, task_create

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
PAPER_CODE = "tests.paper"


def msk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache."""
    cache.clear()
    yield
    cache.clear()


def _task(assignee, *, due=None, subject=None, title="Задание", created_at=None):
    task = task_create(
        kind=INSTRUCTION, title=title, assignee=assignee, subject=subject, due_at=due
    )
    if created_at is not None:
        Task.objects.filter(pk=task.pk).update(created_at=created_at)
    return task


@pytest.fixture
def desk(org):
    """Open tasks: seller holds an overdue paper and a paper due in two hours; seller2 an
    instruction without deadline; the lawyer (another department) an overdue paper; one done."""
    now = timezone.now()
    seller, seller2, lawyer = org["seller"], org["seller2"], org["lawyer"]
    papers = [Paper.objects.create(title=f"Документ {i}", author=org["gendir"]) for i in range(4)]
    tasks = {
        "late": _task(seller, due=now - dt.timedelta(days=2), subject=papers[0]),
        "soon": _task(seller, due=now + dt.timedelta(hours=2), subject=papers[1]),
        "plain": _task(seller2),
        "legal": _task(lawyer, due=now - dt.timedelta(days=1), subject=papers[2]),
    }
    done = _task(seller, due=now - dt.timedelta(days=1), subject=papers[3])
    Task.objects.filter(pk=done.pk).update(status=TaskStatus.DONE)
    return {**org, "tasks": tasks, "papers": papers}


def test_anonymous_goes_to_login_and_an_employee_who_heads_nothing_gets_404(client, desk):
    assert client.get("/control/").status_code == 302
    client.force_login(desk["seller"])
    assert client.get("/control/").status_code == 404
    assert client.get("/control/documents/?state=open").status_code == 404
    assert client.get("/control/journals/").status_code == 404


def test_a_head_sees_only_their_subtree_and_the_general_director_everything(client, desk):
    """GIVEN the sales head WHEN they open the dashboard and the overdue list THEN they see the
    seller's overdue paper, never the lawyer's; the general director sees both."""
    client.force_login(desk["sales_head"])
    html = client.get("/control/").content.decode()
    assert "Продажи" in html and "Юридический отдел" not in html
    listing = client.get("/control/documents/?state=overdue").content.decode()
    assert "Документ 0" in listing and "Документ 2" not in listing
    # asking for another department or person by id shows nothing of theirs
    legal = desk["departments"]["legal"].pk
    for query in (f"department={legal}", f"person={desk['lawyer'].pk}"):
        listing = client.get(f"/control/documents/?state=open&{query}").content.decode()
        assert 'data-testid="control-row"' not in listing and "Документ 2" not in listing
    assert client.get("/control/documents/?state=bogus").status_code == 404
    assert client.get("/control/documents/?person=x").status_code == 404

    client.force_login(desk["gendir"])
    listing = client.get("/control/documents/?state=overdue").content.decode()
    assert "Документ 0" in listing and "Документ 2" in listing
    assert scope_for(desk["gendir"]).everything


def test_all_correspondence_role_sees_everything(desk):
    from tests.factories import employee

    clerk = employee("archivist", desk["departments"]["legal"], roles=["all_correspondence"])
    assert scope_for(clerk) == Scope(everything=True)


def _recount(scope, now):
    """The same figures counted the plain way, row by row in Python."""
    tasks = list(dashboard.open_tasks(scope).select_related("assignee__employee"))
    end = dashboard.week_end(now)

    def key(t):
        return (t.content_type_id or 0, t.object_id or -t.id)

    by_type = {}
    for t in tasks:
        row = by_type.setdefault(t.content_type_id or 0, [set(), set(), set()])
        row[0].add(key(t))
        if t.due_at and t.due_at < now:
            row[1].add(key(t))
        if t.due_at and now <= t.due_at < end:
            row[2].add(key(t))
    return {ct: tuple(len(s) for s in sets) for ct, sets in by_type.items()}


def test_figures_equal_a_direct_recount_and_link_to_their_lists(client, desk):
    now = timezone.now()
    for user in (desk["gendir"], desk["sales_head"]):
        scope = scope_for(user)
        figures = {
            r.content_type_id: (r.counts.open, r.counts.overdue, r.counts.week)
            for r in dashboard.counts_by_type(scope, now=now)
        }
        assert figures == _recount(scope, now)
    paper_ct = ContentType.objects.get_for_model(Paper).pk
    everything = {
        r.content_type_id: r.counts for r in dashboard.counts_by_type(Scope(True), now=now)
    }
    assert (everything[paper_ct].open, everything[paper_ct].overdue) == (3, 2)
    assert everything[paper_ct].week == 1
    assert everything[0].open == 1  # the instruction without a document

    people = dashboard.counts_by_person(scope_for(desk["sales_head"]), now=now)
    seller_row = next(p for d in people for p in d.people if p.user == desk["seller"])
    assert (seller_row.counts.open, seller_row.counts.overdue, seller_row.counts.week) == (2, 1, 1)

    # every number links to the list of exactly those documents
    client.force_login(desk["gendir"])
    html = client.get("/control/").content.decode()
    link = f"/control/documents/?state=overdue&amp;type={paper_ct}"
    assert link in html
    listing = client.get(link.replace("&amp;", "&")).content.decode()
    assert listing.count('data-testid="control-row"') == 2
    listing = client.get(f"/control/documents/?state=open&person={desk['seller'].pk}")
    assert listing.content.decode().count('data-testid="control-row"') == 2


def test_stuck_documents_follow_the_threshold_of_their_type(client, desk):
    """GIVEN the seller's overdue paper held for 10 working days and an instruction held 3
    WHEN papers have a threshold of 8 working days (the default is 5)
    THEN only the paper is stuck, shown with its holder and since when; at 12 days, none is."""
    from workflow.calendar import working_days_before

    now = timezone.now()
    Task.objects.filter(pk=desk["tasks"]["late"].pk).update(created_at=working_days_before(now, 10))
    Task.objects.filter(pk=desk["tasks"]["plain"].pk).update(created_at=working_days_before(now, 3))
    threshold = StuckThreshold(document_type=PAPER_CODE, working_days=8)
    threshold.full_clean()
    threshold.save()
    stuck = list(dashboard.filtered_tasks(Scope(True), state="stuck", now=now))
    assert [t.pk for t in stuck] == [desk["tasks"]["late"].pk]
    client.force_login(desk["sales_head"])
    html = client.get("/control/").content.decode()
    assert 'data-testid="stuck-row"' in html and "Документ 0" in html
    threshold.working_days = 12
    threshold.save()
    assert not dashboard.filtered_tasks(Scope(True), state="stuck", now=now).exists()


def test_holders_without_a_department_have_their_own_row_and_list(client, desk):
    from tests.factories import UserFactory

    loner = UserFactory(username="loner")
    _task(loner, title="Без отдела", due=timezone.now() - dt.timedelta(hours=1))
    rows = dashboard.counts_by_person(Scope(True))
    nobody = next(r for r in rows if r.department is None)
    assert [p.user for p in nobody.people] == [loner] and nobody.query == "&department=0"
    client.force_login(desk["gendir"])
    listing = client.get("/control/documents/?state=overdue&department=0").content.decode()
    assert listing.count('data-testid="control-row"') == 1 and "Без отдела" in listing


def test_a_stuck_threshold_is_validated_on_save(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        StuckThreshold(document_type=PAPER_CODE, working_days=0).full_clean()
    with pytest.raises(ValidationError):
        StuckThreshold(document_type="nothing.here", working_days=3).full_clean()


def _route(paper, author):
    return Route.objects.create(
        content_type=ContentType.objects.get_for_model(Paper),
        object_id=paper.pk,
        document_type=PAPER_CODE,
        author=author,
    )


def _step(route, stage, person, started, decided, due=None):
    task = Task.objects.create(
        kind=INSTRUCTION, title="шаг", assignee=person, due_at=due, status=TaskStatus.DONE
    )
    return RouteStep.objects.create(
        stage=stage,
        route=route,
        round=1,
        kind=StepKind.APPROVE,
        participant=person,
        status=StepStatus.DECIDED,
        decision="approve",
        started_at=started,
        decided_at=decided,
        decided_by=person,
        task=task,
    )


@pytest.fixture
def flow(org):
    """Four «Согласование юриста» steps of the lawyer in March 2026 (Moscow time), times in
    working days by hand (the 7th–9th of March 2026 are a weekend and a holiday):
      Mon 02.03 09:00 → Mon 02.03 21:00        0.5
      Tue 03.03 12:00 → Wed 04.03 12:00        1.0
      Fri 06.03 12:00 → Tue 10.03 12:00        4 days − 3 days off (7, 8, 9 March) = 1.0
      Wed 11.03 00:00 → Wed 18.03 00:00        7 days − 2 days off (14, 15 March) = 5.0
    median = (1.0 + 1.0) / 2 = 1.0; p90 = 1.0 + 0.7 × (5.0 − 1.0) = 3.8
    plus one «Подписание» step of the general director: Thu 12.03 10:00 → 16:00 = 0.25."""
    from workflow.calendar import is_working_day

    assert not is_working_day(dt.date(2026, 3, 9)) and is_working_day(dt.date(2026, 3, 10))
    paper = Paper.objects.create(title="Регламент", author=org["seller"])
    route = _route(paper, org["seller"])
    legal = RouteStage.objects.create(route=route, round=1, order=0, name="Согласование юриста")
    sign = RouteStage.objects.create(route=route, round=1, order=1, name="Подписание")
    lawyer = org["lawyer"]
    spans = [
        (msk(2026, 3, 2, 9), msk(2026, 3, 2, 21), msk(2026, 3, 3, 18)),  # on time
        (msk(2026, 3, 3, 12), msk(2026, 3, 4, 12), msk(2026, 3, 4, 18)),  # on time
        (msk(2026, 3, 6, 12), msk(2026, 3, 10, 12), msk(2026, 3, 9, 18)),  # late
        (msk(2026, 3, 11, 0), msk(2026, 3, 18, 0), msk(2026, 3, 13, 18)),  # late
    ]
    for started, decided, due in spans:
        _step(route, legal, lawyer, started, decided, due)
    _step(route, sign, org["gendir"], msk(2026, 3, 12, 10), msk(2026, 3, 12, 16), None)
    rollup_refresh()  # the worker's job: the figures read its rollup
    return org


def test_stage_times_in_working_days_match_hand_computed_values(flow):
    rows = stats.stage_times(
        Scope(True), date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
    )
    by_stage = {r.stage: r for r in rows}
    legal = by_stage["Согласование юриста"]
    assert legal.steps == 4 and legal.label == "Тестовый документ"
    assert legal.median == pytest.approx(1.0, abs=1e-6)
    assert legal.p90 == pytest.approx(3.8, abs=1e-6)
    assert by_stage["Подписание"].median == pytest.approx(0.25, abs=1e-6)
    # the sales head's scope holds neither the lawyer nor the general director
    assert (
        stats.stage_times(
            scope_for(flow["sales_head"]),
            date_from=dt.date(2026, 3, 1),
            date_to=dt.date(2026, 3, 31),
        )
        == []
    )
    # a period that ends before the last decision leaves it out
    short = stats.stage_times(
        Scope(True), date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 16)
    )
    assert {r.stage: r.steps for r in short}["Согласование юриста"] == 3


def test_on_time_against_late_per_person_and_week(flow):
    period = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 31)}
    rows = stats.on_time_by_person(Scope(True), **period)
    assert [(r.user, r.on_time, r.late, r.share) for r in rows] == [(flow["lawyer"], 2, 2, 50)]
    weeks = stats.on_time_by_week(Scope(True), **period)
    assert [(w.week, w.on_time, w.late) for w in weeks] == [
        (dt.date(2026, 3, 2), 2, 0),
        (dt.date(2026, 3, 9), 0, 1),
        (dt.date(2026, 3, 16), 0, 1),
    ]


def test_the_dashboard_renders_charts_and_exports_every_table(client, flow):
    client.force_login(flow["gendir"])
    query = "date_from=2026-03-01&date_to=2026-03-31"
    html = client.get(f"/control/?{query}").content.decode()
    assert html.count('class="control-chart"') >= 2 and "style=" not in html.split("<main")[1]
    assert "Согласование юриста" in html and "3.8" in html.replace(",", ".")
    expected = {"stages": "Согласование юриста", "ontime": "В срок", "weeks": "Неделя с"}
    for name in ("types", "people", "stuck", "stages", "ontime", "weeks"):
        response = client.get(f"/control/?{query}&export={name}")
        assert response.status_code == 200, name
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [c.value for row in sheet.iter_rows() for c in row]
        if name in expected:
            assert expected[name] in values
    assert client.get(f"/control/?{query}&export=nothing").status_code == 404


def test_a_wrong_period_keeps_the_default_one_and_says_why(client, flow):
    client.force_login(flow["gendir"])
    response = client.get("/control/?date_from=2026-03-31&date_to=2026-03-01", follow=True)
    assert response.status_code == 200
    assert "Начало периода позже его конца." in response.content.decode()


def test_the_dashboard_runs_a_bounded_number_of_queries(client, desk):
    """More people and documents do not mean more queries."""
    client.force_login(desk["gendir"])
    client.get("/control/")
    with CaptureQueriesContext(connection) as before:
        assert client.get("/control/").status_code == 200
    for i in range(15):
        paper = Paper.objects.create(title=f"Ещё {i}", author=desk["gendir"])
        _task(
            desk["seller2"] if i % 2 else desk["lawyer"],
            subject=paper,
            due=timezone.now() - dt.timedelta(days=1),
        )
    with CaptureQueriesContext(connection) as after:
        assert client.get("/control/").status_code == 200
    assert len(after) <= len(before) + 2, [q["sql"][:120] for q in after.captured_queries]
    assert len(after) <= 30
