import re

import pytest
from django.urls import reverse

from accounts import roles
from glossary.entries import Entry
from glossary.models import Proposal, SignOff, Term
from glossary.services import proposals as services
from glossary.services.terms import term_save
from tests.workflow_helpers import approve, login, new_term_entry

State = Proposal.State


def listed_proposals(response) -> list[int]:
    """The proposals a list page shows, in order."""
    return [int(pk) for pk in re.findall(r'<a href="/proposals/(\d+)/">#', response.content.decode())]


def action_url(proposal, action):
    return reverse("glossary:proposal_action", args=[proposal.pk, action])


def proposal_form_data(it, marketing, **overrides):
    data = {
        "name": "Organic search",
        "abbreviation": "",
        "synonyms": "SEO traffic",
        "summary": "Visits from unpaid search results.",
        "examples": "",
        "tags": "Measurement, Customer experience",
        "reason": "Both sides use it weekly",
        f"definition_{it.slug}": "Traffic from unpaid search engine results.",
        f"definition_{marketing.slug}": "Visitors we earned through content, not ads.",
    }
    data.update(overrides)
    return data


def test_contributor_proposes_a_new_term_in_the_browser(client, ada, it, marketing):
    login(client, ada)
    form = client.get(reverse("glossary:term_propose_new")).content.decode()
    assert '<label for="id_definition_it">What IT means</label>' in form
    assert '<label for="id_definition_marketing">What Marketing means</label>' in form
    response = client.post(reverse("glossary:term_propose_new"), proposal_form_data(it, marketing))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()
    assert proposal.author == ada and proposal.kind == Proposal.Kind.NEW_TERM
    assert proposal.tag_list == ["Measurement", "Customer experience"]
    assert not Term.objects.exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"name": "   "}, "name", "This field is required."),
        ({"reason": ""}, "reason", "This field is required."),
        ({"name": "Bad\x00name"}, "name", "Null characters are not allowed."),
        ({"summary": "", "definition_it": "", "definition_marketing": ""}, None, "the common ground or at least one"),
        ({"name": "x" * 500}, "name", "At most 120 characters"),
    ],
)
def test_bad_proposal_input_is_explained_and_saves_nothing(client, ada, it, marketing, overrides, field, message):
    login(client, ada)
    response = client.post(reverse("glossary:term_propose_new"), proposal_form_data(it, marketing, **overrides))
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.get(field) if field else form.non_field_errors()
    assert any(message in error for error in errors)
    assert not Proposal.objects.exists()


def test_proposing_an_existing_name_points_at_the_existing_term(client, ada, it, marketing, make_term):
    make_term("Organic search")
    login(client, ada)
    response = client.post(
        reverse("glossary:term_propose_new"), proposal_form_data(it, marketing, name="organic  SEARCH")
    )
    assert response.status_code == 400
    assert "already in the glossary" in response.context["form"].errors["name"][0]


def test_readers_and_people_without_a_department_cannot_propose(client, make_user, it):
    for user in (make_user("reader", department=it, role=roles.READER), make_user("nodept", department=None)):
        login(client, user)
        assert client.get(reverse("glossary:term_propose_new")).status_code == 403
        assert client.post(reverse("glossary:term_propose_new"), {"name": "X"}).status_code == 403
    assert not Proposal.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in_for_workflow_pages(client, proposal_without_emails):
    for url in [
        reverse("glossary:term_propose_new"),
        proposal_without_emails.get_absolute_url(),
        reverse("glossary:sign_off_queue"),
    ]:
        assert client.get(url)["Location"].startswith(reverse("login"))
    assert client.post(action_url(proposal_without_emails, "approve"), {"revision": 1})["Location"].startswith(
        reverse("login")
    )
    assert not SignOff.objects.exists()


def test_term_page_keeps_the_approved_version_and_links_the_change_in_review(client, ada, make_term, maya):
    term = make_term("Lead", it_text="A CRM row.", status=Term.Status.APPROVED)
    from dataclasses import replace

    from glossary.entries import Entry

    proposal = services.proposal_create(
        author=maya,
        reason="Marketing view",
        term=term,
        entry=replace(Entry.from_term(term), summary="Someone who may buy."),
    )
    page = login(client, ada).get(term.get_absolute_url()).content.decode()
    assert "A CRM row." in page
    assert "Someone who may buy." not in page
    assert f'href="{proposal.get_absolute_url()}">Change in review</a>' in page


def test_pages_offer_only_the_actions_the_user_may_take(client, proposal_without_emails, ada, ivan, maya):
    page = login(client, ivan).get(proposal_without_emails.get_absolute_url()).content.decode()
    assert "Approve for IT" in page and "Request changes for IT" in page and "Reject for IT" in page
    assert "Edit proposal" not in page and "Withdraw" not in page

    page = login(client, ada).get(proposal_without_emails.get_absolute_url()).content.decode()
    assert "Edit proposal" in page and "Withdraw" in page
    assert "Approve for" not in page

    page = login(client, maya).get(proposal_without_emails.get_absolute_url()).content.decode()
    assert "Approve for" not in page and "Edit proposal" not in page
    assert "Add comment" in page


@pytest.mark.parametrize(
    "who, action",
    [
        ("maya", "approve"),
        ("ada", "approve"),
        ("ada", "reject"),
        ("maya", "withdraw"),
        ("ivan", "withdraw"),
        ("reader", "comment"),
    ],
)
def test_forged_posts_for_forbidden_actions_get_403_and_change_nothing(
    client, proposal_without_emails, ada, ivan, maya, make_user, it, who, action
):
    users = {"ada": ada, "ivan": ivan, "maya": maya, "reader": make_user("reader", department=it, role=roles.READER)}
    login(client, users[who])
    response = client.post(
        action_url(proposal_without_emails, action), {"revision": 1, "comment": "forged", "body": "forged"}
    )
    assert response.status_code == 403
    proposal_without_emails.refresh_from_db()
    assert proposal_without_emails.state == State.IN_REVIEW
    assert not SignOff.objects.exists() and not proposal_without_emails.comments.exists()


def test_a_second_approver_of_the_same_department_gets_403(client, proposal_without_emails, ivan, ines):
    assert login(client, ivan).post(action_url(proposal_without_emails, "approve"), {"revision": 1}).status_code == 302
    assert login(client, ines).post(action_url(proposal_without_emails, "approve"), {"revision": 1}).status_code == 403
    assert SignOff.objects.count() == 1


def test_editing_someone_elses_proposal_is_forbidden(client, proposal_without_emails, maya, it, marketing):
    login(client, maya)
    assert client.get(reverse("glossary:proposal_edit", args=[proposal_without_emails.pk])).status_code == 403
    response = client.post(
        reverse("glossary:proposal_edit", args=[proposal_without_emails.pk]),
        {**proposal_form_data(it, marketing), "revision": 1},
    )
    assert response.status_code == 403
    proposal_without_emails.refresh_from_db()
    assert proposal_without_emails.name == "Omnichannel" and proposal_without_emails.revision == 1


def test_unknown_actions_404_and_gets_405(client, proposal_without_emails, ivan):
    login(client, ivan)
    assert client.post(action_url(proposal_without_emails, "publish"), {"revision": 1}).status_code == 404
    assert client.get(action_url(proposal_without_emails, "approve")).status_code == 405
    assert client.get(reverse("glossary:proposal_detail", args=[99999])).status_code == 404


def test_request_changes_without_a_comment_is_explained(client, proposal_without_emails, marco):
    response = login(client, marco).post(
        action_url(proposal_without_emails, "request_changes"), {"revision": 1, "comment": ""}
    )
    assert response.status_code == 400
    assert "Say what needs to change" in response.content.decode()
    assert not SignOff.objects.exists()


def test_approving_an_outdated_revision_tells_the_approver_to_look_again(
    client, proposal_without_emails, ada, ivan, it, marketing
):
    services.proposal_update(
        proposal=proposal_without_emails,
        user=ada,
        reason="Edit",
        entry=new_term_entry(it, marketing, name="Omni-channel"),
        seen_revision=1,
    )
    response = login(client, ivan).post(action_url(proposal_without_emails, "approve"), {"revision": 1}, follow=True)
    assert "changed the proposal since you opened it" in response.content.decode()
    assert not SignOff.objects.exists()


def test_approval_by_both_departments_shows_on_the_term_page(client, proposal_without_emails, ivan, marco, ada):
    login(client, ivan).post(action_url(proposal_without_emails, "approve"), {"revision": 1})
    response = login(client, marco).post(action_url(proposal_without_emails, "approve"), {"revision": 1}, follow=True)
    assert "the change is published" in response.content.decode()
    term = Term.objects.get(name="Omnichannel")
    page = login(client, ada).get(term.get_absolute_url()).content.decode()
    assert "Approved by <strong>Ivan Okafor</strong> (IT) on" in page
    assert "<strong>Marco Silva</strong> (Marketing) on" in page


def test_sign_off_queue_and_my_proposals_with_navigation_counts(client, proposal_without_emails, ivan, ada, marco):
    page = login(client, ivan).get(reverse("glossary:sign_off_queue"))
    assert listed_proposals(page) == [proposal_without_emails.pk]
    assert page.context["nav_counts"]["awaiting"] == 1
    approve(proposal_without_emails, ivan)
    page = client.get(reverse("glossary:sign_off_queue"))
    assert listed_proposals(page) == []
    assert "Nothing is waiting for your department" in page.content.decode()
    assert login(client, marco).get(reverse("glossary:sign_off_queue")).context["nav_counts"]["awaiting"] == 1
    mine = login(client, ada).get(reverse("glossary:my_proposals"))
    assert listed_proposals(mine) == [proposal_without_emails.pk]
    assert mine.context["nav_counts"] == {"mine": 1, "awaiting": 0}


def test_navigation_badges_follow_every_workflow_change_at_once(
    client, proposal_without_emails, ivan, ada, it, marketing
):
    from django.contrib.auth.models import Group

    def badges(user):
        return login(client, user).get(reverse("glossary:term_list")).context["nav_counts"]

    assert badges(ivan) == {"mine": 0, "awaiting": 1}
    assert badges(ivan) == {"mine": 0, "awaiting": 1}  # now from the cache
    approve(proposal_without_emails, ivan)
    assert badges(ivan) == {"mine": 0, "awaiting": 0}
    second = services.proposal_create(
        author=ada, reason="Another", entry=new_term_entry(it, marketing, name="Platform")
    )
    assert badges(ivan) == {"mine": 0, "awaiting": 1}
    assert listed_proposals(client.get(reverse("glossary:sign_off_queue"))) == [second.pk]
    ivan.groups.remove(Group.objects.get(name=roles.APPROVER))
    assert badges(ivan) == {"mine": 0, "awaiting": 0}, "an approver's badge goes with the role"
    assert listed_proposals(client.get(reverse("glossary:sign_off_queue"))) == [], "and so does the queue"
    assert badges(ada) == {"mine": 2, "awaiting": 0}
    services.proposal_withdraw(proposal=second, user=ada)
    assert badges(ada) == {"mine": 1, "awaiting": 0}


def test_term_page_shows_an_open_proposal_at_once_and_drops_it_when_withdrawn(client, make_term, ada, maya):
    term = make_term("Platform", it_text="Shared infrastructure.")
    page = login(client, ada).get(term.get_absolute_url()).content.decode()
    assert "in review" not in page
    change = services.proposal_create(author=maya, reason="Sharper", term=term, entry=Entry.from_term(term))
    assert "Change in review</a> — proposed by" in client.get(term.get_absolute_url()).content.decode()
    maya.first_name = "Maya-Lena"
    maya.save()
    assert "proposed by Maya-Lena" in client.get(term.get_absolute_url()).content.decode()
    services.proposal_withdraw(proposal=change, user=maya)
    assert "in review" not in client.get(term.get_absolute_url()).content.decode()


def test_restore_an_earlier_version_from_the_history_page(client, make_term, ada, it, marketing):
    term = make_term("Pilot", it_text="A limited rollout.")
    term_save(term=term, user=ada, reason="Worse wording", definitions={it: "A thing we try."})
    login(client, ada)
    history = client.get(reverse("glossary:term_history", args=[term.slug])).content.decode()
    restore_url = reverse("glossary:term_propose_restore", args=[term.slug, 1])
    assert restore_url in history
    form = client.get(restore_url)
    assert form.context["form"].initial["definition_it"] == "A limited rollout."
    data = {
        **proposal_form_data(it, marketing, name="Pilot"),
        "definition_it": "A limited rollout.",
        "definition_marketing": "",
    }
    client.post(restore_url, data)
    proposal = Proposal.objects.get()
    assert proposal.kind == Proposal.Kind.RESTORE and proposal.term == term
    assert client.get(reverse("glossary:term_propose_restore", args=[term.slug, 99])).status_code == 404


def test_deprecation_asks_for_confirmation_and_a_reason(client, make_term, ada):
    term = make_term("Web 2.0", it_text="Old.")
    login(client, ada)
    url = reverse("glossary:term_propose_deprecation", args=[term.slug])
    assert "Propose deprecating" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 400
    client.post(url, {"reason": "Nobody says this any more"})
    proposal = Proposal.objects.get()
    assert proposal.kind == Proposal.Kind.DEPRECATE and proposal.proposed_status == Term.Status.DEPRECATED
    term.refresh_from_db()
    assert term.status != Term.Status.DEPRECATED


def test_out_of_date_proposal_shows_what_changed_and_offers_the_update(client, make_term, ada, maya, admin_user):
    term = make_term("Cloud", it_text="Rented infrastructure.")
    from dataclasses import replace

    from glossary.entries import Entry

    proposal = services.proposal_create(
        author=maya,
        reason="Summary",
        term=term,
        entry=replace(Entry.from_term(term), summary="Someone else's computers."),
    )
    term_save(term=term, user=admin_user, reason="Direct fix", fields={"abbreviation": "CLD"})
    Proposal.objects.filter(pk=proposal.pk).update(state=State.OUT_OF_DATE)
    page = login(client, maya).get(proposal.get_absolute_url()).content.decode()
    assert "The term changed after this was proposed" in page
    assert "<ins>CLD</ins>" in page
    response = client.post(action_url(proposal, "rebase"), follow=True)
    assert "back in review" in response.content.decode()
    proposal.refresh_from_db()
    assert (
        proposal.state == State.IN_REVIEW
        and proposal.abbreviation == "CLD"
        and proposal.summary == "Someone else's computers."
    )


def test_untouched_fields_stay_unchanged_through_a_browser_round_trip(client, ada, make_term, it, marketing):
    term = make_term(
        "Pilot",
        it_text="A limited rollout:\n\n- one team\n- one month",
        examples="- IT: one\n- Marketing: two",
        status=Term.Status.APPROVED,
    )
    login(client, ada)
    form = client.get(reverse("glossary:term_propose_change", args=[term.slug])).context["form"]
    # What a browser posts back: the same values, textarea lines ending in CRLF.
    data = {name: form[name].value() or "" for name in form.fields if name != "related_terms"}
    data = {k: (v.replace("\n", "\r\n") if isinstance(v, str) else v) for k, v in data.items()}
    data["summary"] = "Try it small first."
    data["reason"] = "Add common ground"
    client.post(reverse("glossary:term_propose_change", args=[term.slug]), data)
    proposal = Proposal.objects.get()
    page = client.get(proposal.get_absolute_url())
    assert [c["label"] for c in page.context["changed_fields"]] == ["Common ground"]


# What a reviewer sees: who and why, what changes, the discussion, then one form to decide.


def _position(page: str, marker: str) -> int:
    assert marker in page, marker
    return page.index(marker)


def _decision_form(page: str) -> str:
    """The proposal page's form for comments and decisions, as HTML."""
    forms = re.findall(r'<form method="post"[^>]*class="stacked-form review-form".*?</form>', page, re.S)
    assert len(forms) == 1, f"{len(forms)} review forms"
    return forms[0]


def test_a_reviewer_reads_who_and_why_then_what_changes_then_the_discussion_then_decides(
    client, proposal_without_emails, ivan, maya
):
    services.proposal_comment(proposal=proposal_without_emails, user=maya, body="Does this cover the shop?")
    page = login(client, ivan).get(proposal_without_emails.get_absolute_url()).content.decode()
    order = [
        _position(page, '<header class="proposal-header">'),
        _position(page, "<strong>Why:</strong> Settle the word"),
        _position(page, 'id="sign-offs-title"'),
        _position(page, 'id="diff-title"'),
        _position(page, 'id="thread-title"'),
        _position(page, "Does this cover the shop?"),
        _position(page, 'id="review-title"'),
        _position(page, "Approve for IT"),
    ]
    assert order == sorted(order), "the page's order (and so its keyboard order) is the reading order"
    form = _decision_form(page)
    assert page.count("<textarea") == 1 and form.count("<textarea") == 1, "one comment box"
    buttons = re.findall(r"<button[^>]*>([^<]*)</button>", form)
    assert buttons == ["Approve for IT", "Request changes for IT", "Reject for IT", "Add comment without deciding"]
    assert "<legend>Decide for IT on revision 1</legend>" in form
    assert '<label for="id_comment">Your comment</label>' in form
    assert "Required when you request changes or reject" in form


def test_someone_who_may_only_comment_gets_the_same_box_with_just_add_comment(client, proposal_without_emails, maya):
    form = _decision_form(login(client, maya).get(proposal_without_emails.get_absolute_url()).content.decode())
    assert re.findall(r"<button[^>]*>([^<]*)</button>", form) == ["Add comment"]
    assert "<fieldset" not in form and "request changes" not in form.lower()


def test_readers_and_closed_proposals_show_why_there_is_no_form(client, proposal_without_emails, ada, make_user, it):
    reader = make_user("reader", department=it, role=roles.READER)
    page = login(client, reader).get(proposal_without_emails.get_absolute_url()).content.decode()
    assert "review-form" not in page and "you can follow it here" in page
    services.proposal_withdraw(proposal=proposal_without_emails, user=ada)
    page = login(client, ada).get(proposal_without_emails.get_absolute_url()).content.decode()
    assert "review-form" not in page and "This proposal is withdrawn: the discussion is closed." in page


@pytest.mark.parametrize(
    "action, comment, message",
    [
        ("request_changes", "", "Say what needs to change: the author reads this."),
        ("request_changes", " \r\n ", "Say what needs to change: the author reads this."),
        ("reject", "", "Say why you reject it: the author reads this."),
    ],
)
def test_requesting_changes_or_rejecting_without_a_comment_is_explained_next_to_the_box(
    client, proposal_without_emails, marco, action, comment, message
):
    response = login(client, marco).post(
        action_url(proposal_without_emails, action), {"revision": 1, "comment": comment}
    )
    assert response.status_code == 400
    assert response.context["decision_form"].errors["comment"] == [message]
    form = _decision_form(response.content.decode())
    # The message is tied to the box it is about, for screen readers too.
    assert f'<div class="field-error" id="id_comment_error"><p>{message}</p></div>' in form
    textarea = re.search(r"<textarea[^>]*>", form).group(0)
    assert 'aria-invalid="true"' in textarea and "id_comment_error" in re.search(
        r'aria-describedby="([^"]*)"', textarea
    ).group(1)
    assert not SignOff.objects.exists()
    proposal_without_emails.refresh_from_db()
    assert proposal_without_emails.state == State.IN_REVIEW


def test_the_comment_typed_before_a_refused_decision_is_kept_in_the_box(client, proposal_without_emails, marco):
    long_comment = "x" * 5001
    response = login(client, marco).post(
        action_url(proposal_without_emails, "reject"), {"revision": 1, "comment": long_comment}
    )
    assert response.status_code == 400
    assert "At most 5000 characters" in response.context["decision_form"].errors["comment"][0]
    assert long_comment in response.content.decode()
    assert not SignOff.objects.exists()


def test_approving_needs_no_comment_and_a_decision_with_one_keeps_it(client, proposal_without_emails, ivan, marco):
    assert (
        login(client, ivan)
        .post(action_url(proposal_without_emails, "approve"), {"revision": 1, "comment": ""})
        .status_code
        == 302
    )
    response = login(client, marco).post(
        action_url(proposal_without_emails, "request_changes"),
        {"revision": 1, "comment": "Add what *Marketing* counts."},
    )
    assert response.status_code == 302
    assert list(SignOff.objects.values_list("department__name", "decision", "comment")) == [
        ("IT", SignOff.Decision.APPROVE, ""),
        ("Marketing", SignOff.Decision.REQUEST_CHANGES, "Add what *Marketing* counts."),
    ]


def test_a_decision_without_the_revision_it_was_made_on_is_refused(client, proposal_without_emails, ivan):
    response = login(client, ivan).post(action_url(proposal_without_emails, "approve"), {"comment": ""})
    assert response.status_code == 400
    assert "reload it and decide again" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_plain_comment_goes_through_the_same_box(client, proposal_without_emails, maya):
    login(client, maya)
    empty = client.post(action_url(proposal_without_emails, "comment"), {"revision": 1, "comment": "  "})
    assert empty.status_code == 400
    assert empty.context["decision_form"].errors["comment"] == ["Write a comment first."]
    assert (
        client.post(
            action_url(proposal_without_emails, "comment"), {"revision": 1, "comment": "Stores too?"}
        ).status_code
        == 302
    )
    # The comment's text was once sent as "body"; older pages and scripts still work.
    assert client.post(action_url(proposal_without_emails, "comment"), {"body": "And the app?"}).status_code == 302
    assert list(proposal_without_emails.comments.values_list("body", flat=True)) == ["Stores too?", "And the app?"]
    assert not SignOff.objects.exists()


def test_a_forbidden_decision_is_refused_before_its_comment_is_read(client, proposal_without_emails, maya):
    response = login(client, maya).post(action_url(proposal_without_emails, "reject"), {"revision": 1, "comment": ""})
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_the_author_sees_why_each_department_decided(client, proposal_without_emails, ada, ivan, marco):
    approve(proposal_without_emails, ivan)
    services.proposal_request_changes(
        proposal=proposal_without_emails,
        user=marco,
        comment="Add what Marketing counts: sign-ups count too.",
        seen_revision=1,
    )
    sign_off = SignOff.objects.get(department__name="Marketing")
    page = login(client, ada).get(proposal_without_emails.get_absolute_url()).content.decode()
    start = page.index('<header class="proposal-header">')
    header = page[start : page.index("</header>", start)]
    status = " ".join(re.sub(r"<[^>]+>", "", header).split())
    assert "IT: Approved by Ivan Okafor on" in status
    assert "Marketing: Changes requested by Marco Silva on" in status
    assert "— “Add what Marketing counts: sign-ups count too.”" in status
    assert f'<a href="#sign-off-{sign_off.pk}">' in header
    item = re.search(rf'<li class="[^"]*" id="sign-off-{sign_off.pk}">(.*?)</li>', page, re.S).group(1)
    assert "Marco Silva" in item and "requested changes to revision 1" in item and "sign-ups count too." in item
    assert "Edit proposal" in page


def test_markdown_fields_show_the_formatted_text_with_the_source_one_click_away(client, make_term, ada, ivan, marco):
    term = make_term(
        "Omnichannel",
        it_text="Integrated systems.",
        marketing_text="A *consistent, fitting experience*",
        status=Term.Status.APPROVED,
    )
    from dataclasses import replace

    entry = Entry.from_term(term)
    marketing_id = next(pk for pk, text in entry.definitions.items() if text.startswith("A *"))
    proposal = services.proposal_create(
        author=ada,
        reason="Sharper",
        term=term,
        entry=replace(
            entry,
            abbreviation="OC",
            definitions={**entry.definitions, marketing_id: "A *consistent, seamless experience*"},
        ),
    )
    page = login(client, ivan).get(proposal.get_absolute_url()).content.decode()
    changed = page[page.index('id="diff-title"') : page.index('id="thread-title"')]
    assert (
        '<dd class="diff-rendered prose"><p>A <em>consistent, <del>fitting</del><ins>seamless</ins> experience</em></p>'
        in changed
    )
    assert "<summary>Markdown source" in changed
    assert "A *consistent, <del>fitting</del><ins>seamless</ins> experience*" in changed
    # A field that is not Markdown keeps its plain word diff, with no source to show.
    abbreviation = re.search(r"<dt>Abbreviation</dt>(.*?)</div>", changed, re.S).group(1)
    assert abbreviation.strip() == "<dd><ins>OC</ins></dd>"
    # The term's history page shows the same once it is published.
    approve(proposal, ivan)
    approve(proposal, marco)
    history = client.get(reverse("glossary:term_history", args=[term.slug])).content.decode()
    assert "<p>A <em>consistent, <del>fitting</del><ins>seamless</ins> experience</em></p>" in history
    assert "A *consistent, <del>fitting</del><ins>seamless</ins> experience*" in history


def test_an_approver_offered_no_decision_is_told_why(client, proposal_without_emails, ada, ivan, maya):
    approve(proposal_without_emails, ivan)
    page = login(client, ivan).get(proposal_without_emails.get_absolute_url()).content.decode()
    assert "IT has already signed off this revision." in page
    assert re.findall(r"<button[^>]*>([^<]*)</button>", _decision_form(page)) == ["Add comment"]
    # Contributors never decide: nothing to explain to them.
    page = login(client, maya).get(proposal_without_emails.get_absolute_url()).content.decode()
    assert 'class="decision-note"' not in page


def _as_a_browser_posts_it_back(form, **changes) -> dict:
    """The form's own values, textarea lines ending in CRLF, as a browser sends them untouched."""
    data = {name: form[name].value() or "" for name in form.fields}
    data = {k: (v.replace("\n", "\r\n") if isinstance(v, str) else v) for k, v in data.items()}
    return {**data, **changes}


def test_a_change_that_changes_nothing_is_refused_above_the_form_and_stores_nothing(client, signed_off_term, maya):
    from tests.workflow_helpers import snapshot

    url = reverse("glossary:term_propose_change", args=[signed_off_term.slug])
    form = login(client, maya).get(url).context["form"]
    before = snapshot()
    # Only spacing differs: the name padded, the tag in lower case, the definition with a trailing blank line.
    data = _as_a_browser_posts_it_back(
        form,
        name=" Omnichannel ",
        tags="customer experience",
        definition_it="Integrated systems.\r\n\r\n",
        reason="Tidy",
    )
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    alert = re.search(r'<div class="form-error" role="alert">(.*?)</div>', page, re.S)
    assert alert and "This changes nothing: the term already says exactly this" in alert.group(1)
    assert snapshot() == before


def test_restoring_the_current_version_from_its_page_says_it_would_change_nothing(client, signed_off_term, maya):
    from tests.workflow_helpers import snapshot

    url = reverse("glossary:term_propose_restore", args=[signed_off_term.slug, 1])
    form = login(client, maya).get(url).context["form"]
    before = snapshot()
    response = client.post(url, _as_a_browser_posts_it_back(form, reason="Back"))
    assert response.status_code == 400
    assert "restoring it would change nothing" in response.content.decode()
    assert snapshot() == before


def test_editing_a_proposal_back_to_the_term_as_it_stands_is_refused_on_the_edit_page(client, signed_off_term, maya):
    from dataclasses import replace

    proposal = services.proposal_create(
        author=maya,
        reason="Shorter",
        entry=replace(Entry.from_term(signed_off_term), abbreviation="OC"),
        term=signed_off_term,
    )
    url = reverse("glossary:proposal_edit", args=[proposal.pk])
    form = login(client, maya).get(url).context["form"]
    response = client.post(url, _as_a_browser_posts_it_back(form, abbreviation="", revision=1))
    assert response.status_code == 400
    assert "With this revision the proposal would change nothing" in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.revision, proposal.abbreviation) == (1, "OC")
