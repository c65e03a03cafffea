import pytest

from tests.factories import small_org


@pytest.fixture
def org(db):
    """A small organisation (see tests.factories.small_org)."""
    return small_org()


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free port; Django sends to it for this test."""
    from tests.mailserver import SmtpServer

    with SmtpServer() as server:
        for name, value in server.django_settings().items():
            setattr(settings, name, value)
        yield server
