"""The dashboard's figures come from the worker's rollup of decided route steps and its per-scope
snapshots: after a scripted flow they equal a direct recount from the route steps and open tasks
(working days counted day by day in Python), for the general director and a head; the job is
idempotent and incremental, batches a large backlog, and a rebuild gives the same rows."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from control import rollup, snapshots
from control.jobs import rollup_refresh
from control.models import DashboardSnapshot, StepFact
from control.scope import Scope, scope_for
from tests.engine_app.models import Paper
from workflow.calendar import is_working_day
from workflow.models import Route, RouteStage, RouteStep, StepKind, StepStatus, Task, TaskStatus
from workflow.services import INSTRUCTION, task_create

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = dt.datetime(2026, 4, 10, 12, 0, tzinfo=MSK)  # a Friday; the default period from 10.01


def msk(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _stages(author):
    paper = Paper.objects.create(title=f"Договор {Paper.objects.count()}", author=author)
    route = Route.objects.create(
        content_type=ContentType.objects.get_for_model(Paper),
        object_id=paper.pk,
        document_type="tests.paper",
        author=author,
    )
    approve = RouteStage.objects.create(route=route, round=1, order=0, name="Согласование")
    sign = RouteStage.objects.create(route=route, round=1, order=1, name="Подписание")
    return route, approve, sign


def _step(stage, person, started, decided, due=None, *, task=True, deputy=None, decided_by=True):
    status = StepStatus.DECIDED if decided else StepStatus.PENDING
    step_task = None
    if task:
        step_task = Task.objects.create(
            kind=INSTRUCTION,
            title="шаг",
            assignee=person,
            due_at=due,
            status=TaskStatus.DONE if decided else TaskStatus.OPEN,
        )
    return RouteStep.objects.create(
        stage=stage,
        route=stage.route,
        round=1,
        kind=StepKind.APPROVE,
        participant=person,
        deputy=deputy,
        status=status,
        decision="approve" if decided else "",
        started_at=started,
        decided_at=decided,
        decided_by=(deputy or person) if decided and decided_by else None,
        task=step_task,
    )


@pytest.fixture
def scripted(org, frozen):
    """Decided steps in both departments, over weekends, the New Year holidays and the 8 March
    transfer; a step without a start, one without a task, one without a deadline, one decided
    by a deputy, one still pending and one decided before the default period; open tasks, among
    them a document held in two departments at once."""
    seller, seller2, lawyer, gendir = (org[k] for k in ("seller", "seller2", "lawyer", "gendir"))
    route, approve, sign = _stages(seller)
    _step(approve, lawyer, msk(2026, 3, 2, 9), msk(2026, 3, 2, 21), msk(2026, 3, 3, 18))
    _step(approve, lawyer, msk(2026, 3, 6, 12), msk(2026, 3, 10, 12), msk(2026, 3, 9, 18))
    _step(approve, seller, msk(2025, 12, 30, 10), msk(2026, 1, 12, 15), msk(2026, 1, 13, 18))
    _step(approve, seller, msk(2026, 2, 20, 17), msk(2026, 2, 24, 9, 30), msk(2026, 2, 24, 9))
    _step(approve, seller, None, msk(2026, 3, 16, 11), msk(2026, 3, 17, 18))
    _step(approve, seller2, msk(2026, 4, 6, 9), msk(2026, 4, 8, 10), task=False)
    _step(sign, gendir, msk(2026, 3, 12, 10), msk(2026, 3, 12, 16))
    _step(
        sign, seller, msk(2026, 4, 1, 9), msk(2026, 4, 3, 19), msk(2026, 4, 2, 18), deputy=seller2
    )
    _step(approve, lawyer, msk(2026, 4, 9, 9), None)
    _step(approve, seller, msk(2025, 9, 1, 9), msk(2025, 9, 3, 9), msk(2025, 9, 2, 18))

    now = timezone.now()
    shared = Paper.objects.create(title="Общий", author=gendir)
    for holder, due in (
        (seller, now - dt.timedelta(days=3)),
        (seller, now + dt.timedelta(hours=5)),
        (seller2, None),
        (lawyer, now - dt.timedelta(days=1)),
    ):
        paper = Paper.objects.create(title="Открытый", author=gendir)
        task_create(kind=INSTRUCTION, title="Открыто", assignee=holder, subject=paper, due_at=due)
    task_create(kind=INSTRUCTION, title="Своё", assignee=seller, subject=shared, due_at=now)
    task_create(kind=INSTRUCTION, title="Чужое", assignee=lawyer, subject=shared)
    task_create(kind=INSTRUCTION, title="Без документа", assignee=seller2)
    return org


# --- the direct recount -------------------------------------------------------------------------


def _working_days(start: dt.datetime, end: dt.datetime) -> float:
    """Elapsed time minus the parts of non-working days it covers, local time, day by day."""
    local_start = timezone.localtime(start).replace(tzinfo=None)
    local_end = timezone.localtime(end).replace(tzinfo=None)
    off, day = 0.0, local_start.date()
    while day <= local_end.date():
        if not is_working_day(day):
            midnight = dt.datetime.combine(day, dt.time.min)
            low = max(local_start, midnight)
            high = min(local_end, midnight + dt.timedelta(days=1))
            off += max((high - low).total_seconds(), 0.0)
        day += dt.timedelta(days=1)
    return ((end - start).total_seconds() - off) / 86400


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def _in_scope(user, scope: Scope) -> bool:
    employee = getattr(user, "employee", None) if user else None
    return scope.everything or bool(employee and employee.department_id in scope.department_ids)


def _recount_period(scope: Scope, date_from: dt.date, date_to: dt.date) -> dict:
    begin = dt.datetime.combine(date_from, dt.time.min, tzinfo=MSK)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=MSK)
    steps = RouteStep.objects.filter(
        status=StepStatus.DECIDED, decided_at__gte=begin, decided_at__lt=end
    ).select_related("route", "stage", "task", "decided_by__employee", "deputy__employee")
    durations, on_time, weeks = {}, {}, {}
    for step in steps:
        person = step.decided_by or step.deputy or step.participant
        if not _in_scope(person, scope):
            continue
        key = (step.route.document_type, step.stage.name)
        if step.started_at:
            durations.setdefault(key, []).append(_working_days(step.started_at, step.decided_at))
        if step.task and step.task.due_at:
            late = step.decided_at > step.task.due_at
            counts = on_time.setdefault((step.route.document_type, person.pk), [0, 0])
            counts[late] += 1
            local = timezone.localtime(step.decided_at).date()
            week = weeks.setdefault(local - dt.timedelta(days=local.weekday()), [0, 0])
            week[late] += 1
    return {
        "stages": {
            key: (len(v), max(_percentile(v, 0.5), 0.0), max(_percentile(v, 0.9), 0.0))
            for key, v in durations.items()
        },
        "ontime": {key: tuple(v) for key, v in on_time.items()},
        "weeks": {key: tuple(v) for key, v in weeks.items()},
    }


def _recount_open(scope: Scope, now: dt.datetime) -> dict:
    end_of_week = dt.datetime.combine(
        timezone.localdate(now) + dt.timedelta(days=7 - timezone.localdate(now).weekday()),
        dt.time.min,
        tzinfo=MSK,
    )
    by_type, by_person = {}, {}
    for task in Task.objects.filter(status=TaskStatus.OPEN).select_related("assignee__employee"):
        if not _in_scope(task.assignee, scope):
            continue
        document = (task.content_type_id or 0, task.object_id or -task.pk)
        department = task.assignee.employee.department_id
        for table, key in (
            (by_type, task.content_type_id or 0),
            (by_person, (department, task.assignee_id)),
        ):
            sets = table.setdefault(key, (set(), set(), set()))
            sets[0].add(document)
            if task.due_at and task.due_at < now:
                sets[1].add(document)
            if task.due_at and now <= task.due_at < end_of_week:
                sets[2].add(document)
    return {
        "types": {k: tuple(map(len, v)) for k, v in by_type.items()},
        "people": {k: tuple(map(len, v)) for k, v in by_person.items()},
    }


def _shown(figures: snapshots.Figures) -> dict:
    """The dashboard's figures in the recount's shape."""
    return {
        "stages": {(r.document_type, r.stage): (r.steps, r.median, r.p90) for r in figures.stages},
        "ontime": {(r.document_type, r.user.pk): (r.on_time, r.late) for r in figures.on_time},
        "weeks": {w.week: (w.on_time, w.late) for w in figures.weeks},
        "types": {
            r.content_type_id: (r.counts.open, r.counts.overdue, r.counts.week)
            for r in figures.by_type
        },
        "people": {
            (d.department.pk if d.department else None, p.user.pk): (
                p.counts.open,
                p.counts.overdue,
                p.counts.week,
            )
            for d in figures.by_department
            for p in d.people
        },
    }


def _assert_equal(shown: dict, expected: dict) -> None:
    assert shown.keys() == expected.keys()
    for key, (steps, median, p90) in expected.pop("stages").items():
        assert shown["stages"][key][0] == steps, key
        assert shown["stages"][key][1:] == pytest.approx((median, p90), abs=1e-9), key
    for name, values in expected.items():
        assert shown[name] == values, name


# --- the tests ----------------------------------------------------------------------------------


def test_the_dashboard_figures_equal_a_direct_recount(scripted):
    """GIVEN the scripted flow and the worker's run WHEN the general director and the sales head
    look at the default period, and the director at a longer one THEN every figure equals the
    recount from the route steps and open tasks."""
    assert rollup_refresh() == 9  # every decided step, the pending one not
    now = timezone.now()
    for user in (scripted["gendir"], scripted["sales_head"], scripted["lawyer"]):
        scope = scope_for(user)
        figures = snapshots.figures_for(scope, now=now)
        assert figures.taken_at == now  # read from the worker's snapshot
        assert (figures.date_from, figures.date_to) == (dt.date(2026, 1, 10), dt.date(2026, 4, 10))
        expected = _recount_period(scope, figures.date_from, figures.date_to)
        expected |= _recount_open(scope, now)
        _assert_equal(_shown(figures), expected)
    # the recount's own figures are not trivial: holidays, a deputy, a late decision
    everything = _recount_period(Scope(True), dt.date(2026, 1, 10), dt.date(2026, 4, 10))
    seller, seller2 = scripted["seller"].pk, scripted["seller2"].pk
    assert everything["ontime"][("tests.paper", seller)] == (2, 1)
    assert everything["ontime"][("tests.paper", seller2)] == (0, 1)
    assert everything["stages"][("tests.paper", "Согласование")][0] == 5

    # another period is computed on the spot from the rollup, and agrees as well
    longer = {"date_from": dt.date(2025, 8, 1), "date_to": dt.date(2026, 4, 10)}
    figures = snapshots.figures_for(Scope(True), now=now, **longer)
    assert figures.taken_at is None
    expected = _recount_period(Scope(True), **longer) | _recount_open(Scope(True), now)
    _assert_equal(_shown(figures), expected)


def test_the_page_says_when_its_figures_were_taken(client, scripted):
    client.force_login(scripted["gendir"])
    html = client.get("/control/").content.decode()
    assert "Сводка решений ещё не собрана" in html
    rollup_refresh()
    html = client.get("/control/").content.decode()
    assert "Данные на 10.04.2026 12:00" in html and "Согласование" in html
    html = client.get("/control/?date_from=2026-03-01&date_to=2026-03-31").content.decode()
    assert "по решениям, учтённым на 10.04.2026 12:00" in html


def _facts() -> list[tuple]:
    return list(
        StepFact.objects.order_by("step_id").values_list(
            "step_id", "decided_at", "document_type", "stage", "person_id", "days", "on_time"
        )
    )


def test_the_job_is_idempotent_and_incremental(scripted, frozen):
    assert rollup_refresh() == 9
    first = _facts()
    assert rollup_refresh() == 0 and _facts() == first

    # a decision an hour later, and one stamped before the newest but committed after the run
    frozen.shift(dt.timedelta(hours=1))
    _, approve, _ = _stages(scripted["seller"])
    later = _step(approve, scripted["seller2"], msk(2026, 4, 10, 9), timezone.now())
    late_commit = _step(
        approve, scripted["seller2"], msk(2026, 4, 10, 9), timezone.now() - dt.timedelta(minutes=30)
    )
    assert rollup_refresh() == 2
    facts = _facts()
    assert facts[: len(first)] == first
    assert {row[0] for row in facts[len(first) :]} == {later.pk, late_commit.pk}
    snapshot = DashboardSnapshot.objects.get(scope_key="all")
    assert snapshot.computed_at == timezone.now()
    figures = snapshots.figures_for(Scope(True))
    counts = {(r.document_type, r.stage): r.steps for r in figures.stages}
    assert counts[("tests.paper", "Согласование")] == 7

    # the command's rebuild gives the same rows
    call_command("control_rollup", "--rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _facts() == facts


def test_a_large_backlog_is_filled_batch_by_batch(scripted):
    """The first fill of a large database spreads over runs; the page's «as of» time is only
    recorded once the rollup is complete."""
    assert rollup.step_facts_refresh(batch=4) == 4
    assert rollup.refreshed_at() is None
    assert rollup.step_facts_refresh(batch=4) == 4
    assert rollup.step_facts_refresh(batch=4) == 1
    assert rollup.refreshed_at() == timezone.now()
    assert StepFact.objects.count() == 9
