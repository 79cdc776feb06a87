import json

import pytest
from django.core.management import call_command

from accounts import roles
from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import User
from glossary.demo import DEMO_GLOSSARY
from glossary.models import Term
from tests.workflow_helpers import demo_snapshot

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent(capsys):
    call_command("load_demo")
    first = demo_snapshot()
    call_command("load_demo")
    assert demo_snapshot() == first
    assert "nothing loaded" in capsys.readouterr().out


def test_demo_glossary_has_real_terms_with_both_definitions():
    call_command("load_demo")
    entries = json.loads(DEMO_GLOSSARY.read_text())["terms"]
    assert Term.objects.count() == len(entries) >= 25
    for name in ["Digital product", "Platform", "Agile", "Omnichannel", "API", "Organic search", "Mobile app"]:
        term = Term.objects.get(name=name)
        assert {d.department.slug for d in term.definitions.all()} == {"it", "marketing"}
    # Links in the fixture are symmetric once loaded.
    omnichannel = Term.objects.get(name="Omnichannel")
    assert all(omnichannel in other.related_terms.all() for other in omnichannel.related_terms.all())


def test_demo_terms_have_history_by_the_admin():
    call_command("load_demo")
    record = Term.objects.get(name="Platform").history.last()
    assert record.history_user.username == "admin"
    assert record.history_change_reason == "Demo glossary"


def test_demo_users_can_log_in_with_their_roles(client):
    call_command("load_demo")
    for username, _, department, role in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.groups.filter(name=role).exists()
        assert (user.department.slug if user.department else None) == department
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{username} could not log in"
        client.post("/accounts/logout/")
    assert User.objects.get(username="ivan").has_perm(roles.SIGN_OFF)
    assert not User.objects.get(username="ada").has_perm(roles.SIGN_OFF)
    assert User.objects.get(username="ada").has_perm(roles.PROPOSE)
