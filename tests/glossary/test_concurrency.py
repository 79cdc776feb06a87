"""Real concurrent transactions on PostgreSQL: simultaneous clicks never lose or double a publish."""

import time
from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied

from glossary import workflow
from glossary.entries import Entry
from glossary.models import Proposal, SignOff, Term
from glossary.services import proposals as services
from tests.databases import postgres_only, run_together
from tests.workflow_helpers import approve, new_term_entry

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
State = Proposal.State


@pytest.fixture(autouse=True)
def wide_race_window(monkeypatch):
    """Pause between recording a sign-off and deciding whether to publish, so that two clicks
    overlap for certain; without row locks both would then decide on stale reads."""
    real = workflow.awaiting_departments

    def slow(proposal):
        time.sleep(0.3)
        return real(proposal)

    monkeypatch.setattr(workflow, "awaiting_departments", slow)


@pytest.mark.parametrize("attempt", range(2))
def test_last_two_departments_approving_at_once_publish_exactly_once(ada, ivan, marco, it, marketing, attempt):
    proposal = services.proposal_create(
        author=ada, reason="Race", entry=new_term_entry(it, marketing, name=f"Race {attempt}")
    )
    outcomes = run_together(
        lambda: approve(Proposal.objects.get(pk=proposal.pk), ivan),
        lambda: approve(Proposal.objects.get(pk=proposal.pk), marco),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    proposal.refresh_from_db()
    assert proposal.state == State.PUBLISHED
    assert Term.objects.filter(name=f"Race {attempt}").count() == 1
    assert proposal.term.history.count() == 1
    assert SignOff.objects.filter(proposal=proposal).count() == 2


def test_two_approvers_of_one_department_at_once_give_one_sign_off(ada, ivan, ines, it, marketing):
    proposal = services.proposal_create(author=ada, reason="Race", entry=new_term_entry(it, marketing))
    outcomes = run_together(
        lambda: approve(Proposal.objects.get(pk=proposal.pk), ivan),
        lambda: approve(Proposal.objects.get(pk=proposal.pk), ines),
    )
    refused = [o for o in outcomes if isinstance(o, (PermissionDenied, services.WorkflowConflict))]
    assert len(refused) == 1
    assert SignOff.objects.filter(proposal=proposal).count() == 1


def test_two_proposals_for_one_term_published_at_once_never_lose_an_update(
    make_term, ada, maya, ivan, marco, it, marketing
):
    term = make_term("Platform", it_text="Tools.", marketing_text="A system.")
    base = Entry.from_term(term)
    first = services.proposal_create(author=ada, reason="IT", term=term, entry=replace(base, summary="From IT"))
    second = services.proposal_create(
        author=maya, reason="Marketing", term=term, entry=replace(base, summary="From Marketing")
    )
    approve(first, ivan)
    approve(second, ivan)
    outcomes = run_together(
        lambda: approve(Proposal.objects.get(pk=first.pk), marco),
        lambda: approve(Proposal.objects.get(pk=second.pk), marco),
    )
    # The later click either finds its proposal already out of date (refused) or marks it so itself.
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(e, PermissionDenied) and "out of date" in str(e) for e in errors)
    states = sorted(Proposal.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True))
    assert states == sorted([State.PUBLISHED, State.OUT_OF_DATE])
    term.refresh_from_db()
    published = Proposal.objects.get(state=State.PUBLISHED)
    assert term.summary == published.summary
    assert term.version == 2
    assert term.history.count() == 2
