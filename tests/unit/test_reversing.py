"""Card links come from ``pk_url`` (the pattern reversed once): they must be ``reverse()``'s
own URLs, also when the application is served under a path prefix."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from argo_docs.reversing import pk_url, pk_url_maker

NAMES = [
    "correspondence:incoming-detail",
    "correspondence:outgoing-detail",
    "contracts:contract-detail",
    "memos:detail",
    "crm:company-detail",
    "workflow:task-snooze",
    "control:follow-up",
]


@pytest.mark.parametrize("prefix", ["/", "/argo/"])
@pytest.mark.parametrize("name", NAMES)
def test_same_url_as_reverse(name, prefix):
    set_script_prefix(prefix)
    try:
        for pk in (1, 42, 987654321, 10**12):
            assert pk_url(name, pk) == reverse(name, args=[pk])
            assert pk_url_maker(name)(pk) == reverse(name, args=[pk])
    finally:
        clear_script_prefix()


def test_only_integer_keys():
    with pytest.raises(ValueError):
        pk_url("memos:detail", "1/../../admin")


FIXED = [
    "home",
    "workflow:inbox",
    "correspondence:incoming-list",
    "crm:company-list",
    "admin:index",
]


@pytest.mark.parametrize("prefix", ["/", "/argo/"])
def test_the_url_tag_links_without_arguments_as_reverse_does(prefix):
    """``{% url %}`` keeps reversed links without arguments: a page served under another path
    prefix must not get the first prefix's links."""
    from django.template import engines

    django_engine = engines["django"]
    set_script_prefix(prefix)
    try:
        for name in FIXED:
            template = django_engine.from_string(
                "{% url '" + name + "' %}|{% url '" + name + "' as x %}{{ x }}"
            )
            assert template.render({}) == f"{reverse(name)}|{reverse(name)}"
    finally:
        clear_script_prefix()


def test_the_url_tag_still_refuses_an_unknown_name():
    from django.template import engines
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'no-such-page' %}").render({})
    assert (
        engines["django"].from_string("{% url 'no-such-page' as x %}[{{ x }}]").render({}) == "[]"
    )
