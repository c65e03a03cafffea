"""The search page: anonymous, another department, allowed; filters; bad dates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from correspondence.testing import build_world, register

pytestmark = pytest.mark.django_db
URL = reverse("search:search")


@pytest.fixture
def world(org):
    w = build_world(org)
    w["letter"] = register(
        w["office"],
        entity=w["entity"],
        counterparty=w["tenant"],
        subject="Претензия о протечке кровли",
        summary="Кровля протекает над складом <b>№3</b>",
    )
    return w


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL, {"q": "кровля"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_department_sees_no_hit_no_count_no_fragment(client, world):
    client.force_login(world["outsider"])
    page = client.get(URL, {"q": "кровли"}).content.decode()
    assert "протечке" not in page and "складом" not in page
    assert 'data-testid="search-count"' not in page
    assert 'data-testid="search-empty"' in page


def test_registrar_sees_the_hit_with_an_escaped_fragment(client, world):
    client.force_login(world["office"])
    page = client.get(URL, {"q": "кровля"}).content.decode()
    assert 'data-kind="incoming"' in page
    assert world["letter"].get_absolute_url() in page
    assert "<mark>Кровля</mark>" in page or "<mark>кровли</mark>" in page
    assert "<b>№3" not in page


def test_kind_and_counterparty_filters(client, world):
    client.force_login(world["gendir"])
    page = client.get(URL, {"q": "кровля", "kind": "contract"}).content.decode()
    assert 'data-testid="search-empty"' in page
    page = client.get(URL, {"q": "кровля", "counterparty": world["contractor"].pk}).content.decode()
    assert 'data-kind="incoming"' not in page
    page = client.get(URL, {"q": "кровля", "counterparty": world["tenant"].pk}).content.decode()
    assert 'data-kind="incoming"' in page and 'data-testid="search-counterparty"' in page
    page = client.get(URL, {"q": "кровля", "status": "incoming:done"}).content.decode()
    assert 'data-kind="incoming"' not in page


def test_reversed_dates_get_a_russian_message_and_keep_the_query(client, world):
    client.force_login(world["gendir"])
    response = client.get(URL, {"q": "кровля", "date_from": "2026-05-01", "date_to": "2026-01-01"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "раньше даты" in page and 'value="кровля"' in page


def test_the_navigation_bar_has_the_search_box(client, world):
    client.force_login(world["office"])
    page = client.get(reverse("workflow:inbox")).content.decode()
    assert 'data-testid="nav-search"' in page and f'action="{URL}"' in page
