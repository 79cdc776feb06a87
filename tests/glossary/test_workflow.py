from dataclasses import replace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import roles
from accounts.models import Department
from glossary.entries import Entry
from glossary.models import Proposal, SignOff, Term
from glossary.services import proposals as services
from glossary.services.terms import term_save
from glossary.views.proposals import ACTION_SERVICES
from glossary.workflow import Action, allowed_actions
from tests.workflow_helpers import approve, decide, new_term_entry, outside_a_transaction, send_queued_mail

State = Proposal.State
pytestmark = pytest.mark.django_db


def test_proposing_a_new_term_opens_a_review_and_creates_no_term(proposal):
    assert proposal.state == State.IN_REVIEW
    assert proposal.revision == 1
    assert proposal.kind == Proposal.Kind.NEW_TERM
    assert not Term.objects.exists()


@outside_a_transaction
def test_proposal_emails_every_waiting_departments_approvers(proposal):
    send_queued_mail()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["ivan@example.com", "marco@example.com"]
    assert "Settle the word" in mail.outbox[0].body


def test_only_department_members_with_the_contributor_role_can_propose(make_user, it, marketing):
    outsider = make_user("outsider", department=None)
    reader = make_user("reader", department=it, role=roles.READER)
    for user in (outsider, reader):
        with pytest.raises(PermissionDenied):
            services.proposal_create(author=user, reason="x", entry=new_term_entry(it, marketing))
    assert not Proposal.objects.exists()


def test_proposal_needs_a_reason_a_free_name_and_a_definition(ada, it, marketing, make_term):
    make_term("Platform")
    with pytest.raises(ValidationError) as error:
        services.proposal_create(
            author=ada,
            reason=" ",
            entry=new_term_entry(it, marketing, name=" platform ", it_text="", marketing_text=""),
        )
    assert set(error.value.message_dict) == {"reason", "name", "definitions"}


def test_one_department_approving_does_not_publish(proposal, ivan):
    approve(proposal, ivan)
    proposal.refresh_from_db()
    assert proposal.state == State.IN_REVIEW
    assert not Term.objects.exists()


@outside_a_transaction
def test_last_department_approving_publishes_with_author_approvers_and_proposal_in_history(
    proposal, ivan, marco, ada, it, marketing
):
    approve(proposal, ivan)
    approve(proposal, marco)
    send_queued_mail()
    proposal.refresh_from_db()
    assert proposal.state == State.PUBLISHED
    term = proposal.term
    assert term.name == "Omnichannel"
    assert term.status == Term.Status.APPROVED
    assert term.approval == proposal
    assert {d.department: d.text for d in term.definitions.all()} == {
        it: "Integrated systems.",
        marketing: "One experience.",
    }
    record = term.history.first()
    assert record.history_user == ada
    assert f"Proposal #{proposal.pk}" in record.history_change_reason
    assert "Ivan Okafor (IT)" in record.history_change_reason
    assert "Marco Silva (Marketing)" in record.history_change_reason
    assert record.approval_id == proposal.pk
    assert mail.outbox[-1].to == ["ada@example.com"]
    assert "is approved" in mail.outbox[-1].subject


def test_a_second_approver_of_the_same_department_cannot_add_a_vote(proposal, ivan, ines):
    approve(proposal, ivan)
    with pytest.raises(PermissionDenied, match="already signed off"):
        approve(proposal, ines)
    assert SignOff.objects.count() == 1
    assert not Term.objects.exists()


def test_an_approver_signs_only_for_their_own_department(proposal, ivan, it):
    approve(proposal, ivan)
    assert list(SignOff.objects.values_list("department", flat=True)) == [it.pk]
    assert Action.APPROVE not in allowed_actions(proposal, ivan)


def test_nobody_approves_their_own_proposal_not_even_a_glossary_admin(make_user, it, marketing):
    boss = make_user("boss", department=it, role=roles.GLOSSARY_ADMIN, is_superuser=True)
    own = services.proposal_create(author=boss, reason="Mine", entry=new_term_entry(it, marketing))
    for action in (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT):
        with pytest.raises(PermissionDenied, match="own proposal"):
            decide(own, boss, action, "comment")
    assert not SignOff.objects.exists()


def test_users_without_a_department_or_the_approver_role_cannot_sign(proposal, make_user, maya):
    admin_without_department = make_user("root", role=roles.GLOSSARY_ADMIN)
    for user in (admin_without_department, maya):
        with pytest.raises(PermissionDenied):
            approve(proposal, user)


def test_editing_clears_sign_offs_given_so_far(proposal, ada, ivan, marco, it, marketing):
    approve(proposal, ivan)
    services.proposal_update(
        proposal=proposal,
        user=ada,
        reason="Sharper",
        entry=new_term_entry(it, marketing, it_text="Integrated, real-time systems."),
        seen_revision=1,
    )
    proposal.refresh_from_db()
    assert proposal.revision == 2
    approve(proposal, marco)
    proposal.refresh_from_db()
    assert proposal.state == State.IN_REVIEW, "IT's approval of revision 1 must not count for revision 2"
    approve(proposal, ivan)
    proposal.refresh_from_db()
    assert proposal.state == State.PUBLISHED
    assert proposal.term.definitions.get(department=it).text == "Integrated, real-time systems."


def test_approving_a_revision_you_did_not_see_is_refused(proposal, ada, ivan, it, marketing):
    services.proposal_update(
        proposal=proposal,
        user=ada,
        reason="Edit",
        entry=new_term_entry(it, marketing, name="Omni-channel"),
        seen_revision=1,
    )
    with pytest.raises(services.WorkflowConflict):
        services.proposal_approve(proposal=proposal, user=ivan, comment="", seen_revision=1)
    assert not SignOff.objects.exists()


def test_only_the_author_can_edit_or_withdraw(proposal, maya, ivan, it, marketing):
    for user in (maya, ivan):
        with pytest.raises(PermissionDenied, match="Only the author"):
            services.proposal_update(
                proposal=proposal, user=user, reason="x", entry=new_term_entry(it, marketing), seen_revision=1
            )
        with pytest.raises(PermissionDenied, match="Only the author"):
            services.proposal_withdraw(proposal=proposal, user=user)
    proposal.refresh_from_db()
    assert proposal.state == State.IN_REVIEW and proposal.revision == 1


@outside_a_transaction
def test_request_changes_needs_a_comment_and_sends_it_back_to_the_author(proposal, marco, ada, it, marketing):
    with pytest.raises(ValidationError):
        decide(proposal, marco, Action.REQUEST_CHANGES, "  ")
    decide(proposal, marco, Action.REQUEST_CHANGES, "Say touchpoint.")
    send_queued_mail()
    proposal.refresh_from_db()
    assert proposal.state == State.CHANGES_REQUESTED
    assert mail.outbox[-1].to == ["ada@example.com"]
    assert "Say touchpoint." in mail.outbox[-1].body
    services.proposal_update(
        proposal=proposal,
        user=ada,
        reason="Touchpoint",
        entry=new_term_entry(it, marketing, marketing_text="One experience at every touchpoint."),
        seen_revision=1,
    )
    proposal.refresh_from_db()
    assert proposal.state == State.IN_REVIEW
    assert proposal.revision == 2


def test_reject_needs_a_comment_closes_the_proposal_and_leaves_the_term(make_term, ada, marco, it, marketing):
    term = make_term("Agile", it_text="A method.", marketing_text="Speed.", status=Term.Status.APPROVED)
    before = Entry.from_term(term), term.version
    proposal = services.proposal_create(
        author=ada, reason="Rewrite", term=term, entry=replace(Entry.from_term(term), summary="Changed")
    )
    with pytest.raises(ValidationError):
        decide(proposal, marco, Action.REJECT, "")
    decide(proposal, marco, Action.REJECT, "We disagree.")
    proposal.refresh_from_db()
    term.refresh_from_db()
    assert proposal.state == State.REJECTED
    assert (Entry.from_term(term), term.version) == before
    assert allowed_actions(proposal, ada) == []


def test_withdrawing_leaves_the_term_and_keeps_the_proposal(make_term, ada, it, marketing):
    term = make_term("Agile", it_text="A method.")
    before = Entry.from_term(term)
    proposal = services.proposal_create(author=ada, reason="Rewrite", term=term, entry=replace(before, name="Agility"))
    services.proposal_withdraw(proposal=proposal, user=ada)
    term.refresh_from_db()
    assert Entry.from_term(term) == before
    assert Proposal.objects.get(pk=proposal.pk).state == State.WITHDRAWN


def test_a_third_department_must_also_sign(proposal, ivan, marco, make_user):
    finance = Department.objects.create(name="Finance", slug="finance", position=30)
    fiona = make_user("fiona", department=finance, role=roles.APPROVER)
    approve(proposal, ivan)
    approve(proposal, marco)
    proposal.refresh_from_db()
    assert proposal.state == State.IN_REVIEW
    approve(proposal, fiona)
    proposal.refresh_from_db()
    assert proposal.state == State.PUBLISHED


def test_a_department_that_does_not_sign_off_is_not_waited_for(proposal, ivan, marco, make_user):
    Department.objects.create(name="Legal", slug="legal", position=40, signs_off=False)
    approve(proposal, ivan)
    approve(proposal, marco)
    proposal.refresh_from_db()
    assert proposal.state == State.PUBLISHED


def test_publishing_one_proposal_makes_others_for_the_term_out_of_date(
    make_term, ada, maya, ivan, marco, it, marketing
):
    term = make_term("Platform", it_text="Tools to build on.", marketing_text="A complete system.")
    first = services.proposal_create(
        author=ada,
        reason="IT wording",
        term=term,
        entry=replace(
            Entry.from_term(term),
            definitions={it.pk: "Preconfigured tools to build on.", marketing.pk: "A complete system."},
        ),
    )
    second = services.proposal_create(
        author=maya,
        reason="Marketing wording",
        term=term,
        entry=replace(
            Entry.from_term(term),
            definitions={it.pk: "Tools to build on.", marketing.pk: "A complete system for one need."},
        ),
    )
    approve(first, ivan)
    approve(first, marco)
    second.refresh_from_db()
    assert second.state == State.OUT_OF_DATE
    with pytest.raises(PermissionDenied):
        approve(second, ivan)

    services.proposal_rebase(proposal=second, user=maya)
    second.refresh_from_db()
    assert second.state == State.IN_REVIEW
    assert second.revision == 2
    merged = Entry.from_proposal(second)
    assert merged.definitions == {
        it.pk: "Preconfigured tools to build on.",
        marketing.pk: "A complete system for one need.",
    }
    approve(second, ivan)
    approve(second, marco)
    term.refresh_from_db()
    assert {d.department_id: d.text for d in term.definitions.all()} == merged.definitions


def test_publishing_on_top_of_a_direct_edit_is_refused_and_marked_out_of_date(make_term, ada, ivan, marco, admin_user):
    term = make_term("Cloud", it_text="Rented infrastructure.")
    proposal = services.proposal_create(
        author=ada,
        reason="Add summary",
        term=term,
        entry=replace(Entry.from_term(term), summary="Someone else's computers."),
    )
    term_save(term=term, user=admin_user, reason="Direct fix", fields={"abbreviation": "CLD"})
    approve(proposal, ivan)
    approve(proposal, marco)
    proposal.refresh_from_db()
    term.refresh_from_db()
    assert proposal.state == State.OUT_OF_DATE
    assert term.summary == ""
    assert term.abbreviation == "CLD"


def test_deprecation_is_a_status_and_the_term_and_its_history_stay(make_term, ada, ivan, marco):
    term = make_term("Web 2.0", it_text="Old.", status=Term.Status.APPROVED)
    proposal = services.proposal_create(
        author=ada,
        reason="Outdated",
        term=term,
        kind=Proposal.Kind.DEPRECATE,
        entry=replace(Entry.from_term(term), status=Term.Status.DEPRECATED),
    )
    approve(proposal, ivan)
    approve(proposal, marco)
    term.refresh_from_db()
    assert term.status == Term.Status.DEPRECATED
    assert term.history.count() == 2


def test_comments_form_a_thread_and_need_text(proposal, maya, make_user, it):
    with pytest.raises(ValidationError):
        services.proposal_comment(proposal=proposal, user=maya, body=" ")
    services.proposal_comment(proposal=proposal, user=maya, body="Does this cover stores?")
    reader = make_user("reader", department=it, role=roles.READER)
    with pytest.raises(PermissionDenied):
        services.proposal_comment(proposal=proposal, user=reader, body="Hi")
    assert [c.body for c in proposal.comments.all()] == ["Does this cover stores?"]


def test_new_term_losing_its_name_before_publishing_goes_back_to_the_author(proposal, ivan, marco, make_term):
    make_term("omnichannel ")
    approve(proposal, ivan)
    approve(proposal, marco)
    proposal.refresh_from_db()
    assert proposal.state == State.CHANGES_REQUESTED
    assert "“omnichannel” is already in the glossary" in proposal.comments.last().body
    assert Term.objects.count() == 1


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_action_is_allowed_exactly_from_its_states(proposal, ada, ivan, state, action):
    """The transition table, checked for every state: an eligible user may act only from the listed states."""
    from glossary.workflow import TRANSITIONS, refusal

    Proposal.objects.filter(pk=proposal.pk).update(state=state)
    proposal.refresh_from_db()
    actor = ada if action in (Action.EDIT, Action.WITHDRAW, Action.REBASE, Action.COMMENT) else ivan
    allowed = refusal(action, proposal, actor) is None
    assert allowed == (state in TRANSITIONS[action].from_states)


def test_the_action_endpoint_has_a_service_for_every_action_but_editing():
    """Editing has its own page; each other action the workflow offers is one POST to the service named after it."""
    assert set(ACTION_SERVICES) == set(Action) - {Action.EDIT}


@pytest.fixture
def change(make_term, ada, it, marketing):
    """An open change to an existing term, so that every transition, updating it onto the term included, can run."""
    term = make_term("Platform", it_text="A shared base.", marketing_text="A stage.")
    entry = new_term_entry(
        it, marketing, name="Platform", it_text="A shared base others build on.", marketing_text="A stage."
    )
    return services.proposal_create(author=ada, reason="Sharper", entry=entry, term=term)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("actor", ["ada", "ivan", "maya"])  # the author, an approver, another contributor
def test_each_transition_service_refuses_exactly_what_the_workflow_refuses(
    change, request, it, marketing, state, action, actor
):
    """The endpoint's services and the edit page's, checked against `workflow.refusal` for every state and user."""
    from glossary.workflow import TRANSITIONS, refusal

    Proposal.objects.filter(pk=change.pk).update(state=state)
    change.refresh_from_db()
    user = request.getfixturevalue(actor)
    service = {**ACTION_SERVICES, Action.EDIT: services.proposal_update}[action]
    arguments = {
        Action.EDIT: {
            "reason": "Sharper still",
            "entry": new_term_entry(it, marketing, name="Platform"),
            "seen_revision": 1,
        },
        Action.COMMENT: {"body": "A remark."},
        Action.APPROVE: {"comment": "", "seen_revision": 1},
        Action.REQUEST_CHANGES: {"comment": "Say more.", "seen_revision": 1},
        Action.REJECT: {"comment": "Not this.", "seen_revision": 1},
    }.get(action, {})
    why_not = refusal(action, change, user)

    if why_not is None:
        service(proposal=change, user=user, **arguments)
        change.refresh_from_db()
        assert change.state == (TRANSITIONS[action].to_state or state)
    else:
        with pytest.raises(PermissionDenied) as refused:
            service(proposal=change, user=user, **arguments)
        assert str(refused.value) == why_not
        change.refresh_from_db()
        assert (change.state, change.revision) == (state, 1)
        assert not SignOff.objects.exists() and not change.comments.exists()


def test_forbidden_transitions_change_nothing(proposal, ada, ivan, marco):
    decide(proposal, marco, Action.REJECT, "No.")
    proposal.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(proposal=proposal, user=ada)
    with pytest.raises(PermissionDenied):
        approve(proposal, ivan)
    with pytest.raises(PermissionDenied):
        services.proposal_rebase(proposal=proposal, user=ada)
    with pytest.raises(PermissionDenied):
        services.proposal_comment(proposal=proposal, user=ada, body="Reopen?")
    proposal.refresh_from_db()
    assert proposal.state == State.REJECTED
    assert SignOff.objects.filter(proposal=proposal).count() == 1


# A change that changes nothing: refused with a message, whoever proposes it and however it is typed.

NOTHING = "This changes nothing: the term already says exactly this"


def _as_typed(term, **changes) -> Entry:
    return replace(Entry.from_term(term), **changes)


@pytest.mark.parametrize(
    "typed",
    [
        {},
        {"name": "  Omni\u00adchannel "},  # spacing and a soft hyphen, gone when the name is saved
        {"name": "\uff2fmnichannel"},  # a full-width O, which NFKC makes an O
        {"synonyms": " cross-channel ,omni-channel,\n\n"},
        {"tags": ("customer  experience ",)},  # the existing tag, in another case and spacing
        {"review_by": None},  # left empty: publishing sets the next date either way
        {"definitions": "spaced"},
        {"related_terms": "with itself"},
    ],
)
def test_a_change_that_changes_nothing_is_refused_with_a_message_and_stores_nothing(
    signed_off_term, maya, it, marketing, typed
):
    from tests.workflow_helpers import snapshot

    term = signed_off_term
    if typed.get("definitions") == "spaced":
        typed["definitions"] = {it.pk: "  Integrated systems.\r\n", marketing.pk: "One experience.\t"}
    if typed.get("related_terms") == "with itself":
        typed["related_terms"] = {**Entry.from_term(term).related_terms, term.pk: term.name}
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.proposal_create(author=maya, reason="Tidy", entry=_as_typed(term, **typed), term=term)
    assert refused.value.message_dict["__all__"][0].startswith(NOTHING)
    assert snapshot() == before


@pytest.mark.parametrize(
    "typed",
    [
        {"abbreviation": "OC"},
        {"name": "omnichannel"},  # a name's case is part of it
        {"tags": ("Customer experience", "Retail")},
        {"related_terms": {}},
        {"owner": "Digital team"},
        {"review_by": "next year"},
    ],
)
def test_a_change_of_any_one_field_is_proposed(signed_off_term, maya, typed):
    import datetime

    if typed.get("review_by") == "next year":
        typed["review_by"] = signed_off_term.review_by + datetime.timedelta(days=30)
    proposal = services.proposal_create(
        author=maya, reason="Better", entry=_as_typed(signed_off_term, **typed), term=signed_off_term
    )
    assert proposal.state == State.IN_REVIEW


def test_restoring_the_version_that_is_current_is_refused_and_an_older_one_is_proposed(
    signed_off_term, maya, ivan, marco, it
):
    term = signed_off_term
    version_1 = replace(Entry.from_term(term))
    with pytest.raises(ValidationError, match="restoring it would change nothing"):
        services.proposal_create(author=maya, reason="Back", entry=version_1, term=term, kind=Proposal.Kind.RESTORE)
    change = services.proposal_create(
        author=maya,
        reason="Sharper",
        entry=_as_typed(term, definitions={**version_1.definitions, it.pk: "Sharper."}),
        term=term,
    )
    approve(change, ivan)
    approve(change, marco)
    term.refresh_from_db()
    restore = services.proposal_create(
        author=maya, reason="Back", entry=version_1, term=term, kind=Proposal.Kind.RESTORE
    )
    assert restore.state == State.IN_REVIEW


def test_a_revision_that_makes_the_proposal_the_term_as_it_stands_is_refused(signed_off_term, maya):
    term = signed_off_term
    proposal = services.proposal_create(
        author=maya, reason="Shorter", entry=_as_typed(term, abbreviation="OC"), term=term
    )
    with pytest.raises(ValidationError, match="With this revision the proposal would change nothing"):
        services.proposal_update(
            proposal=proposal, user=maya, reason="Undo", entry=Entry.from_term(term), seen_revision=1
        )
    proposal.refresh_from_db()
    assert (proposal.revision, proposal.abbreviation) == (1, "OC")


def test_a_deprecation_is_never_nothing(signed_off_term, maya):
    entry = _as_typed(signed_off_term, status=Term.Status.DEPRECATED)
    proposal = services.proposal_create(
        author=maya, reason="Say cross-channel", entry=entry, term=signed_off_term, kind=Proposal.Kind.DEPRECATE
    )
    assert proposal.state == State.IN_REVIEW


def test_the_term_as_it_stands_is_proposed_when_its_approvals_need_renewing(signed_off_term, maya, ada, make_user):
    from glossary.services.terms import term_record_direct_edit

    term = signed_off_term
    # A department that signs off from now on has not approved the current version.
    Department.objects.create(slug="legal", name="Legal", signs_off=True)
    first = services.proposal_create(author=maya, reason="Legal signs too", entry=Entry.from_term(term), term=term)
    assert first.state == State.IN_REVIEW
    services.proposal_withdraw(proposal=first, user=maya)
    Department.objects.filter(slug="legal").update(signs_off=False)
    # An admin's direct edit leaves the term needing fresh sign-off.
    term_record_direct_edit(term=term, user=make_user("root", role=roles.GLOSSARY_ADMIN), reason="Typo")
    term.refresh_from_db()
    renewed = services.proposal_create(
        author=maya, reason="Renew the approvals", entry=Entry.from_term(term), term=term
    )
    assert renewed.state == State.IN_REVIEW


def test_the_term_as_it_stands_is_proposed_when_it_was_never_signed_off(make_term, maya):
    term = make_term("Pilot", it_text="A limited rollout.", status=Term.Status.APPROVED)
    proposal = services.proposal_create(author=maya, reason="Sign it off", entry=Entry.from_term(term), term=term)
    assert proposal.state == State.IN_REVIEW
