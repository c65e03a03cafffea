import pytest

from tests.factories import small_org


@pytest.fixture
def org(db):
    """A small organisation (see tests.factories.small_org)."""
    return small_org()
