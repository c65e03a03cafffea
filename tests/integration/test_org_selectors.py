"""Org structure questions: who is my head, the chain of heads above me, who acts for an absent
colleague, and which departments a head oversees."""

import datetime as dt
import signal
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import AbsenceFactory, DepartmentFactory, UserFactory, employee
from workflow.selectors import acting_for, head_of, heads_above, subordinate_department_ids

DAY = dt.date(2026, 3, 16)


@contextmanager
def fails_after(seconds: int):
    """Turn an endless loop into a test failure instead of a hung test run."""

    def _timeout(signum, frame):
        raise AssertionError(f"did not finish within {seconds} s (endless loop?)")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def usernames(users) -> list[str]:
    return [u.username for u in users]


def away(user, *, deputy=None, starts_on=DAY, ends_on=DAY):
    return AbsenceFactory(employee=user, deputy=deputy, starts_on=starts_on, ends_on=ends_on)


def department_chain(org, depth: int):
    """``depth`` nested departments under «Продажи», each with its own head; returns the member of
    the deepest one and the heads from the deepest up."""
    parent = org["departments"]["sales"]
    heads = []
    for level in range(depth):
        department = DepartmentFactory(
            legal_entity=parent.legal_entity, name=f"Группа {depth}.{level}", parent=parent
        )
        heads.append(employee(f"head_{depth}_{level}", head_of=department))
        parent = department
    member = employee(f"member_{depth}", parent)
    return member, list(reversed(heads))


# head_of


def test_head_of_an_employee_is_the_head_of_their_department(org):
    """GIVEN a seller in «Продажи»
    WHEN their head is asked for
    THEN it is the head of sales."""
    assert head_of(org["seller"]) == org["sales_head"]


def test_head_of_a_head_is_the_head_of_the_parent_department(org):
    """GIVEN the head of «Продажи», whose department sits under «Дирекция»
    WHEN their head is asked for
    THEN it is the general director, not themselves."""
    assert head_of(org["sales_head"]) == org["gendir"]


def test_head_of_an_employee_of_the_top_department_is_its_head(org):
    """GIVEN the office manager, a plain employee of «Дирекция»
    WHEN their head is asked for
    THEN it is the general director."""
    assert head_of(org["office"]) == org["gendir"]


def test_the_general_director_has_no_head(org):
    """GIVEN the general director, head of the top department
    WHEN their head is asked for
    THEN there is none."""
    assert head_of(org["gendir"]) is None


def test_user_without_employee_profile_has_no_head(db):
    """GIVEN a user account without an employee profile (e.g. the admin)
    WHEN their head is asked for
    THEN there is none."""
    assert head_of(UserFactory(username="admin")) is None


# heads_above


def test_heads_above_lists_the_chain_nearest_first(org):
    """GIVEN a seller in «Продажи» under «Дирекция»
    WHEN the chain of heads is asked for
    THEN it is the head of sales, then the general director."""
    assert usernames(heads_above(org["seller"])) == ["sales_head", "gendir"]


def test_heads_above_a_head_starts_with_the_head_of_the_parent(org):
    """GIVEN the lawyer, head of «Юридический отдел»
    WHEN the chain of heads is asked for
    THEN it is only the general director (the lawyer is not their own head)."""
    assert usernames(heads_above(org["lawyer"])) == ["gendir"]


def test_heads_above_follows_a_deep_chain(org):
    """GIVEN a member of a group three levels below «Продажи»
    WHEN the chain of heads is asked for
    THEN every group head appears, nearest first, then the head of sales and the director."""
    member, group_heads = department_chain(org, 3)

    assert usernames(heads_above(member)) == [
        *usernames(group_heads),
        "sales_head",
        "gendir",
    ]


def test_heads_above_does_not_repeat_a_person_heading_two_levels(org):
    """GIVEN a group under «Продажи» that the head of sales also heads
    WHEN the chain of heads of a group member is asked for
    THEN the head of sales is listed once."""
    sales = org["departments"]["sales"]
    group = DepartmentFactory(
        legal_entity=sales.legal_entity, name="Группа аренды", parent=sales, head=org["sales_head"]
    )
    junior = employee("junior", group)

    assert usernames(heads_above(junior)) == ["sales_head", "gendir"]


def test_heads_above_skips_a_department_without_a_head(org):
    """GIVEN a group under «Продажи» whose head post is vacant
    WHEN the chain of heads of a group member is asked for
    THEN the vacancy is skipped: the head of sales, then the director."""
    sales = org["departments"]["sales"]
    group = DepartmentFactory(legal_entity=sales.legal_entity, name="Вакансия", parent=sales)
    junior = employee("junior", group)

    assert usernames(heads_above(junior)) == ["sales_head", "gendir"]


def test_heads_above_with_limit_returns_only_the_nearest(org):
    """GIVEN a seller with two heads above them
    WHEN the chain is asked for with limit=1
    THEN only the head of sales is returned."""
    assert usernames(heads_above(org["seller"], limit=1)) == ["sales_head"]


def test_heads_above_user_without_employee_profile_is_empty(db):
    """GIVEN a user account without an employee profile
    WHEN the chain of heads is asked for
    THEN it is empty."""
    assert heads_above(UserFactory(username="outsider")) == []


def test_heads_above_query_count_does_not_grow_with_depth(org, django_assert_max_num_queries):
    """GIVEN a member one level below «Продажи» and another eight levels below
    WHEN their chains of heads are read
    THEN the deep chain costs no more queries than the shallow one."""
    shallow_member, _ = department_chain(org, 1)
    deep_member, deep_heads = department_chain(org, 8)
    with CaptureQueriesContext(connection) as shallow:
        assert len(heads_above(shallow_member)) == 3

    with django_assert_max_num_queries(len(shallow.captured_queries)):
        chain = heads_above(deep_member)

    assert len(chain) == len(deep_heads) + 2


# acting_for


def test_absent_user_with_deputy_is_replaced_by_the_deputy(org):
    """GIVEN a seller on vacation with their colleague named deputy
    WHEN it is asked who acts for the seller during the vacation
    THEN the deputy does."""
    away(org["seller"], deputy=org["seller2"], starts_on=DAY, ends_on=DAY + dt.timedelta(days=4))

    assert acting_for(org["seller"], DAY + dt.timedelta(days=2)) == org["seller2"]


def test_deputy_acts_on_the_first_and_last_day_of_the_absence(org):
    """GIVEN an absence from the 16th to the 20th, both inclusive
    WHEN it is asked who acts on the first and on the last day
    THEN the deputy does on both."""
    last = DAY + dt.timedelta(days=4)
    away(org["seller"], deputy=org["seller2"], starts_on=DAY, ends_on=last)

    assert acting_for(org["seller"], DAY) == org["seller2"]
    assert acting_for(org["seller"], last) == org["seller2"]


def test_user_acts_for_themselves_outside_the_absence(org):
    """GIVEN an absence from the 16th to the 20th
    WHEN it is asked who acts the day before it starts and the day after it ends
    THEN the user themselves does."""
    last = DAY + dt.timedelta(days=4)
    away(org["seller"], deputy=org["seller2"], starts_on=DAY, ends_on=last)

    assert acting_for(org["seller"], DAY - dt.timedelta(days=1)) == org["seller"]
    assert acting_for(org["seller"], last + dt.timedelta(days=1)) == org["seller"]


def test_absence_without_deputy_leaves_the_user(org):
    """GIVEN a seller on sick leave with no deputy named
    WHEN it is asked who acts for them that day
    THEN the seller themselves does."""
    away(org["seller"], deputy=None)

    assert acting_for(org["seller"], DAY) == org["seller"]


def test_deputy_who_is_also_away_passes_on_to_their_own_deputy(org):
    """GIVEN a seller away with seller2 as deputy, and seller2 away with the head of sales as deputy
    WHEN it is asked who acts for the seller
    THEN the head of sales does."""
    away(org["seller"], deputy=org["seller2"])
    away(org["seller2"], deputy=org["sales_head"])

    assert acting_for(org["seller"], DAY) == org["sales_head"]


def test_deputy_away_on_another_day_does_not_pass_on(org):
    """GIVEN seller2 deputises for the seller today, but is away only next week
    WHEN it is asked who acts for the seller today
    THEN seller2 does."""
    away(org["seller"], deputy=org["seller2"])
    next_week = DAY + dt.timedelta(days=7)
    away(org["seller2"], deputy=org["sales_head"], starts_on=next_week, ends_on=next_week)

    assert acting_for(org["seller"], DAY) == org["seller2"]


def test_acting_for_defaults_to_today(org):
    """GIVEN a seller away today with seller2 as deputy
    WHEN it is asked who acts for the seller without naming a day
    THEN seller2 does."""
    today = timezone.localdate()
    away(org["seller"], deputy=org["seller2"], starts_on=today, ends_on=today)

    assert acting_for(org["seller"]) == org["seller2"]


def test_two_deputies_naming_each_other_do_not_loop(org):
    """GIVEN two sellers both away, each named as the other's deputy
    WHEN it is asked who acts for the first seller
    THEN the answer comes back: the direct deputy, seller2."""
    away(org["seller"], deputy=org["seller2"])
    away(org["seller2"], deputy=org["seller"])

    with fails_after(5):
        acting = acting_for(org["seller"], DAY)

    assert acting == org["seller2"]


def test_a_longer_cycle_of_deputies_does_not_loop(org):
    """GIVEN seller -> seller2 -> head of sales -> seller, all away the same day
    WHEN it is asked who acts for the seller
    THEN the chain stops at the head of sales instead of going round again."""
    away(org["seller"], deputy=org["seller2"])
    away(org["seller2"], deputy=org["sales_head"])
    away(org["sales_head"], deputy=org["seller"])

    with fails_after(5):
        acting = acting_for(org["seller"], DAY)

    assert acting == org["sales_head"]


# subordinate_department_ids


def test_general_director_oversees_every_department(org):
    """GIVEN the general director heading «Дирекция»
    WHEN their departments are asked for
    THEN «Дирекция» and both departments below it are included."""
    departments = org["departments"]

    assert subordinate_department_ids(org["gendir"]) == {d.id for d in departments.values()}


def test_head_oversees_nested_departments_but_not_siblings(org):
    """GIVEN three groups nested below «Продажи»
    WHEN the departments of the head of sales are asked for
    THEN «Продажи» and every nested group are included, the legal department is not."""
    member, _ = department_chain(org, 3)
    deepest = member.employee.department

    ids = subordinate_department_ids(org["sales_head"])

    sales = org["departments"]["sales"]
    assert len(ids) == 4
    assert {sales.id, deepest.id} <= ids
    assert org["departments"]["legal"].id not in ids
    assert org["departments"]["board"].id not in ids


def test_head_of_a_nested_group_oversees_only_below_it(org):
    """GIVEN three groups nested below «Продажи»
    WHEN the departments of the middle group's head are asked for
    THEN only the middle group and the one below it are included."""
    member, heads = department_chain(org, 3)
    middle_head = heads[1]

    ids = subordinate_department_ids(middle_head)

    assert ids == {
        middle_head.headed_departments.get().id,
        member.employee.department.id,
    }


def test_plain_employee_oversees_no_departments(org):
    """GIVEN a seller who heads nothing
    WHEN their departments are asked for
    THEN the set is empty."""
    assert subordinate_department_ids(org["seller"]) == set()


@pytest.mark.parametrize("who", ["lawyer", "sales_head"])
def test_heads_of_sibling_departments_do_not_see_each_other(org, who):
    """GIVEN the heads of two sibling departments
    WHEN the departments of one of them are asked for
    THEN exactly their own department is included."""
    own = {"lawyer": "legal", "sales_head": "sales"}[who]

    assert subordinate_department_ids(org[who]) == {org["departments"][own].id}


def test_two_top_level_departments_cannot_share_a_name(db):
    """GIVEN a top-level department «Дирекция» WHEN an admin adds another top-level «Дирекция»
    THEN the database refuses it (no parent is not a loophole)."""
    from django.db import IntegrityError, transaction

    first = DepartmentFactory(name="Дирекция")
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentFactory(name="Дирекция", legal_entity=first.legal_entity)
