"""The org tree is read once per request however many visibility rules ask for it, and a
department changed during the request is read again."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from workflow.selectors import department_tree_scope, subordinate_department_ids


def _tree_reads(captured) -> int:
    return sum(1 for q in captured if q["sql"].startswith('SELECT "workflow_department"."id"'))


def test_a_search_page_reads_the_org_tree_once(client, org):
    """GIVEN a department head WHEN they search every kind (each kind's rule asks for the
    departments they head) THEN the page reads the department table once."""
    client.force_login(org["sales_head"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/search/", {"q": "договор"}).status_code == 200
    assert _tree_reads(captured) == 1


def test_a_department_saved_in_the_scope_is_read_again(org):
    """GIVEN the tree read inside a request's scope WHEN the lawyer is made head of sales as
    well THEN the next question in the same scope sees it; outside a scope nothing is kept."""
    lawyer, sales = org["lawyer"], org["departments"]["sales"]
    legal = org["departments"]["legal"]
    with department_tree_scope():
        assert subordinate_department_ids(lawyer) == {legal.pk}
        with CaptureQueriesContext(connection) as captured:
            assert subordinate_department_ids(lawyer) == {legal.pk}
        assert _tree_reads(captured) == 0
        sales.head = lawyer
        sales.save()
        assert subordinate_department_ids(lawyer) == {legal.pk, sales.pk}
    with CaptureQueriesContext(connection) as captured:
        subordinate_department_ids(lawyer)
        subordinate_department_ids(lawyer)
    assert _tree_reads(captured) == 2


def test_a_search_outside_a_request_reads_the_org_tree_once(org):
    """A search run by a job or a command (no request scope) asks five kinds' rules; the tree is
    read once, and a scope opened inside another keeps what the outer one read."""
    from search.query import search

    with CaptureQueriesContext(connection) as captured:
        search(org["sales_head"], "договор")
    assert _tree_reads(captured) == 1
    with department_tree_scope():
        subordinate_department_ids(org["lawyer"])
        with CaptureQueriesContext(connection) as captured:
            search(org["sales_head"], "договор")
    assert _tree_reads(captured) == 0
