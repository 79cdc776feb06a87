import json

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from accounts import roles
from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import User
from glossary import queues
from glossary.demo import DEMO_GLOSSARY
from glossary.models import Proposal, SignOff, Term
from tests.shared_data import built_once
from tests.workflow_helpers import demo_snapshot, outside_a_transaction, send_queued_mail

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the tests of a class, which only read it (what one writes no other sees)."""
    with built_once(django_db_blocker):
        with django_db_blocker.unblock():
            call_command("load_demo")
        yield


@pytest.mark.slow
class TestTheLoadedDemo:
    def test_demo_glossary_has_real_terms_with_both_definitions(self, demo):
        entries = json.loads(DEMO_GLOSSARY.read_text())["terms"]
        drafts = [e for e in entries if e.get("status", "draft") == "draft"]
        assert Term.objects.count() == len(entries) - len(drafts) >= 25, "drafts are new terms still in proposals"
        for name in ["Digital product", "Platform", "Agile", "Omnichannel", "API", "Organic search", "Mobile app"]:
            term = Term.objects.get(name=name)
            assert {d.department.slug for d in term.definitions.all()} == {"it", "marketing"}
        # Links in the fixture are symmetric once loaded.
        omnichannel = Term.objects.get(name="Omnichannel")
        assert all(omnichannel in other.related_terms.all() for other in omnichannel.related_terms.all())

    def test_every_approved_demo_term_was_proposed_and_signed_off_by_both_departments(self, demo, client):
        ivan, marco = User.objects.get(username="ivan"), User.objects.get(username="marco")
        for term in Term.objects.filter(status=Term.Status.APPROVED):
            approvals = term.approval.sign_offs.filter(
                revision=term.approval.revision, decision=SignOff.Decision.APPROVE
            )
            assert {s.approver for s in approvals} == {ivan, marco}, term.name
            assert term.approval.author.username in {"ada", "maya"}
        first = Term.objects.get(name="Platform").history.earliest()
        assert first.history_user.username in {"ada", "maya"}
        assert "approved by Ivan Okafor (IT), Marco Silva (Marketing)" in first.history_change_reason
        client.force_login(User.objects.get(username="ada"))
        page = client.get(Term.objects.get(name="Platform").get_absolute_url()).content.decode()
        assert (
            "Approved by <strong>Ivan Okafor</strong> (IT) on" in page
            and "<strong>Marco Silva</strong> (Marketing) on" in page
        )

    def test_every_demo_term_in_review_has_its_change_waiting_in_both_approvers_queues(self, demo):
        from glossary.selectors.proposals import sign_off_queue

        entries = json.loads(DEMO_GLOSSARY.read_text())["terms"]
        in_review = {e["name"] for e in entries if e.get("status") == "in_review"}
        assert in_review, "the demo shows changes in review"
        for username in ("ivan", "marco"):
            waiting = {p.name for p in sign_off_queue(User.objects.get(username=username))}
            assert in_review <= waiting, username
        for name in in_review:
            proposal = Proposal.objects.get(term__name=name, state=Proposal.State.IN_REVIEW)
            assert proposal.kind == Proposal.Kind.CHANGE

    def test_the_demo_shows_a_discussion_a_proposal_sent_back_and_a_deprecation(self, demo):
        discussed = Proposal.objects.get(name="Minimum viable product")
        assert discussed.state == Proposal.State.IN_REVIEW and discussed.comments.count() == 2
        sent_back = Proposal.objects.get(name="Budget")
        assert sent_back.state == Proposal.State.CHANGES_REQUESTED
        assert sent_back.sign_offs.get().decision == SignOff.Decision.REQUEST_CHANGES
        deprecated = Term.objects.get(status=Term.Status.DEPRECATED)
        assert deprecated.approval.kind == Proposal.Kind.DEPRECATE

    def test_demo_users_can_log_in_with_their_roles(self, demo, client):
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


@pytest.mark.slow  # loads the demo glossary: about 2 s
def test_load_demo_is_idempotent(capsys):
    call_command("load_demo")
    first = demo_snapshot()
    call_command("load_demo")
    assert demo_snapshot() == first
    assert "nothing loaded" in capsys.readouterr().out


@pytest.mark.slow  # loads the demo glossary: about 2 s
@outside_a_transaction
def test_building_the_demo_sends_no_email(mailoutbox):
    call_command("load_demo")
    assert not DBTaskResult.objects.filter(queue_name=queues.MAIL).exists()
    send_queued_mail()
    assert mailoutbox == []


@pytest.mark.slow  # loads the demo glossary: about 2 s
def test_load_demo_prints_the_address_it_was_given(capsys):
    call_command("load_demo", address="127.0.0.1:8101")
    assert "Log in at http://127.0.0.1:8101/accounts/login/" in capsys.readouterr().out


@pytest.mark.slow  # loads the demo glossary: about 2 s
def test_the_demo_loader_reads_every_declared_field(tmp_path):
    """A demo entry may carry any field of glossary.entries.CONTENT, under its declared name."""
    from accounts.demo import create_demo_users
    from glossary.demo import load_demo_glossary
    from glossary.entries import CONTENT, Entry, Kind

    item = {
        "name": "Everything",
        "status": "approved",
        "definitions": {"it": "IT text.", "marketing": "Marketing text."},
    }
    for content_field in CONTENT:
        if content_field.kind in (Kind.TEXT, Kind.MARKDOWN):
            item[content_field.name] = f"demo {content_field.name}"
        elif content_field.kind == Kind.NAMES:
            item[content_field.name] = [f"demo {content_field.name}"]
    path = tmp_path / "demo.json"
    path.write_text(json.dumps({"terms": [item]}))
    create_demo_users()
    load_demo_glossary(path=path)
    entry = Entry.from_term(Term.objects.get(name="Everything"))
    for content_field in CONTENT:
        if content_field.kind in (Kind.TEXT, Kind.MARKDOWN, Kind.NAMES):
            assert f"demo {content_field.name}" in getattr(entry, content_field.name), content_field.name
