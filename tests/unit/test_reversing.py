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
