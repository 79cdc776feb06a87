import pytest

from accounts.demo import create_demo_users
from glossary.models import Term
from tests.chromium import chromium, logged_in_page


@pytest.fixture
def as_user(live_server):
    """Log a demo user in, in a browser context of their own; returns their page."""
    create_demo_users()
    with chromium() as browser:
        yield lambda username: logged_in_page(browser, live_server.url, username)


@pytest.fixture
def platform(make_term):
    """An approved term with a tag, to watch and change."""
    return make_term(
        "Platform",
        it_text="Tools to build on.",
        marketing_text="A complete system.",
        tags=["Architecture"],
        status=Term.Status.APPROVED,
    )
