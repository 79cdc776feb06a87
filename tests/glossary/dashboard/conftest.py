import pytest

from tests.glossary.dashboard.dashboard_history import build_history


@pytest.fixture
def history(db, clock):
    """The hand-built history the dashboard's figures are checked against (dashboard_history.py)."""
    return build_history(clock)
