"""The generator's volumes: the issue's proportions at 1M letters, scaled down below."""

import pytest

from bench.scale import plan_for


def test_one_million_letters_make_the_large_organisation():
    plan = plan_for(1_000_000)
    assert (plan.outgoing, plan.contracts, plan.companies) == (200_000, 10_000, 100_000)
    assert (plan.employees, plan.departments) == (200, 20)
    assert 2_900_000 <= plan.tasks <= 3_100_000
    open_tasks = plan.open_incoming * 3 // 2 + plan.open_outgoing + plan.open_instructions
    assert 45_000 <= open_tasks + plan.contracts // 2 <= 55_000


def test_small_runs_scale_down_but_keep_a_workable_org():
    plan = plan_for(200)
    assert plan.outgoing == 40 and plan.threads == 120
    assert plan.departments >= 4 and plan.departments % 2 == 0
    assert plan.employees >= 6 * plan.departments  # a head, the named roles and executors each
    assert plan.open_incoming < plan.letters and plan.instructions >= plan.open_instructions


def test_too_few_letters_are_refused():
    with pytest.raises(ValueError):
        plan_for(10)
