"""The admin's route previews: whom a letter would go to, without writing one."""

import pytest
from django.urls import reverse

from correspondence.models import (
    ExtraApprover,
    IncomingLetter,
    OutgoingLetter,
    ReviewWithExecution,
    RouteRule,
)
from correspondence.testing import build_world
from workflow.models import Route
from workflow.services import display_name


@pytest.fixture
def world(org):
    return build_world(org)


def _who(response):
    return [
        [(step.person.username if step.person else None, str(step.does)) for step in stage.steps]
        for stage in response.context["stages"]
    ]


def test_changelists_link_to_the_previews(admin_client, world):
    """GIVEN the administrator WHEN she opens the incoming route rules or the outgoing approval
    settings THEN each offers «Предпросмотр маршрута»."""
    for name in ("routerule", "outgoingapprovalsettings"):
        page = admin_client.get(reverse(f"admin:correspondence_{name}_changelist"))
        assert reverse(f"admin:correspondence_{name}_preview") in page.content.decode()


def test_outgoing_preview_lists_the_approvers_in_order(admin_client, world):
    """GIVEN the default chain (heads up to the general director) and the lawyer as an extra
    approver of letters to government bodies
    WHEN the administrator previews a letter by the seller to a government body THEN the head of
    sales, the general director and the lawyer approve in that order; to a tenant, without the
    lawyer; from the sales department without naming the author, the same heads;
    WHEN neither author nor department is chosen THEN the form says so; nothing is written."""
    ExtraApprover.objects.create(category="government", approver=world["lawyer"])
    url = reverse("admin:correspondence_outgoingapprovalsettings_preview")
    base = {"legal_entity": world["entity"].pk}
    response = admin_client.get(
        url, {**base, "category": "government", "author": world["seller"].pk}
    )
    assert _who(response) == [
        [("sales_head", "согласует")],
        [("gendir", "согласует")],
        [("lawyer", "согласует")],
    ]
    page = response.content.decode().split('data-testid="route-preview"')[1]
    names = [display_name(world[u]) for u in ("sales_head", "gendir", "lawyer")]
    assert page.index(names[0]) < page.index(names[1]) < page.index(names[2])
    response = admin_client.get(url, {**base, "category": "tenant", "author": world["seller"].pk})
    assert _who(response) == [[("sales_head", "согласует")], [("gendir", "согласует")]]
    sales = world["departments"]["sales"].pk
    response = admin_client.get(url, {**base, "category": "tenant", "department": sales})
    assert _who(response) == [[("sales_head", "согласует")], [("gendir", "согласует")]]
    response = admin_client.get(url, {**base, "category": "tenant"})
    assert response.context["stages"] is None
    assert "Выберите автора или подразделение." in response.content.decode()
    assert not OutgoingLetter.objects.exists() and not Route.objects.exists()


def test_incoming_preview_shows_the_stages_and_who_takes_them(admin_client, world):
    """GIVEN the seed's routes WHEN the administrator previews a government body's letter without
    an executor THEN the general director gives the resolution, the lawyer reviews, and the head
    of the top department (the general director) names the executor; addressed to sales, the
    head of sales names them; a tenant's letter with the seller as executor: the seller executes
    and the director reviews «для сведения», or as a blocking step once the rule says
    «обязательно»; nothing is written."""
    url = reverse("admin:correspondence_routerule_preview")
    base = {"legal_entity": world["entity"].pk}
    response = admin_client.get(url, {**base, "category": "government"})
    assert [s.name for s in response.context["stages"]] == [
        "Резолюция",
        "Рассмотрение",
        "Исполнение",
    ]
    assert _who(response) == [
        [("gendir", "даёт резолюцию")],
        [("lawyer", "рассматривает")],
        [("gendir", "назначит исполнителя")],
    ]
    response = admin_client.get(
        url, {**base, "category": "government", "department": world["departments"]["sales"].pk}
    )
    assert _who(response)[2] == [("sales_head", "назначит исполнителя")]
    tenant = {**base, "category": "tenant", "responsible": world["seller"].pk}
    response = admin_client.get(url, tenant)
    assert _who(response) == [[("seller", "исполняет"), ("director", "рассматривает")]]
    assert [s.informational for s in response.context["stages"][0].steps] == [False, True]
    assert "(для сведения)" in response.content.decode()
    RouteRule.objects.filter(category="tenant").update(
        review_with_execution=ReviewWithExecution.MANDATORY
    )
    response = admin_client.get(url, tenant)
    assert [s.informational for s in response.context["stages"][0].steps] == [False, False]
    assert not IncomingLetter.objects.exists() and not Route.objects.exists()


def test_previews_are_for_administrators_only(client, world):
    """GIVEN an employee who is not staff WHEN she opens a preview THEN she is sent to log in."""
    client.force_login(world["seller"])
    response = client.get(reverse("admin:correspondence_routerule_preview"))
    assert response.status_code == 302
