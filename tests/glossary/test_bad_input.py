"""Clumsy or hostile input anywhere: never a 500, and the database keeps exactly what it had.

Generated cases come from hypothesis; a list of known troublemakers is always included.
"""

import itertools
import re
from dataclasses import replace

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from glossary.entries import Entry
from glossary.models import Proposal, Term
from tests.workflow_helpers import snapshot

NASTY = [
    "",
    " ",
    "\t\n",
    "x" * 100_000,
    "a\x00b",
    "\x00",
    "😀🚀",
    "مرحبا بالعالم",
    "‮evil‭",
    "ﬁ",
    "Ｐlatform",
    "Plat\u00adform",
    "<script>alert(1)</script>",
    "'; DROP TABLE glossary_term; --",
    "%00",
    "../../etc/passwd",
    "-1",
    "0",
    "999999999999999999999",
    "abc",
    "1e10",
    "null",
    "[]",
    "{}",
]
# Text a browser can send: any characters except lone surrogates, which have no UTF-8 form.
BROWSER_TEXT = st.one_of(st.sampled_from(NASTY), st.text(st.characters(exclude_categories=["Cs"]), max_size=300))
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def world(make_term, ada, it, marketing):
    from glossary.services.proposals import proposal_create
    from tests.workflow_helpers import new_term_entry

    term = make_term(
        "Platform", it_text="Tools to build on.", marketing_text="A complete system.", tags=["Architecture"]
    )
    proposal = proposal_create(author=ada, reason="New", entry=new_term_entry(it, marketing, name="Pilot"))
    return term, proposal


@pytest.mark.slow
@SETTINGS
@given(
    q=BROWSER_TEXT, status=BROWSER_TEXT, missing=BROWSER_TEXT, tag=BROWSER_TEXT, letter=BROWSER_TEXT, page=BROWSER_TEXT
)
@example(q="omni channel", status="approved", missing="it", tag="architecture", letter="P", page="-1")
def test_home_page_query_parameters_never_fail(reader_client, world, q, status, missing, tag, letter, page):
    before = snapshot()
    response = reader_client.get(
        reverse("glossary:term_list"),
        {"q": q, "status": status, "missing": missing, "tag": tag, "letter": letter, "page": page},
    )
    assert response.status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize(
    "url", ["/?q=%ED%A0%80", "/?page=%FF%FE", "/terms/%FF/", "/?q=%00", "/export/glossary.pdf?letter=%C0"]
)
def test_undecodable_bytes_in_urls_never_fail(reader_client, world, url):
    assert reader_client.get(url).status_code in (200, 400, 404)


@pytest.mark.parametrize("slug", ["..", "%2e%2e", "a" * 500, "UPPER", "with space", "ümlaut", "-", "_"])
def test_malformed_slugs_get_a_404(reader_client, world, slug):
    assert reader_client.get(f"/terms/{slug}/").status_code == 404
    assert reader_client.get(f"/terms/{slug}/history/").status_code == 404


@pytest.mark.slow
@SETTINGS
@given(frm=BROWSER_TEXT, to=BROWSER_TEXT)
def test_history_compare_parameters_never_fail(reader_client, world, frm, to):
    term, _ = world
    assert (
        reader_client.get(reverse("glossary:term_history", args=[term.slug]), {"from": frm, "to": to}).status_code
        == 200
    )


@pytest.mark.slow
@SETTINGS
@given(name=BROWSER_TEXT, summary=BROWSER_TEXT, definition=BROWSER_TEXT, reason=BROWSER_TEXT, tags=BROWSER_TEXT)
@example(name="PLATFORM", summary="", definition="x", reason="dup", tags="")
@example(name="Ｐlatform", summary="", definition="x", reason="dup", tags="")
@example(name="a\x00b", summary="", definition="x", reason="nul", tags="")
@example(name="Latency", summary="x" * 100_000, definition="y", reason="huge", tags="")
@example(name="Latency", summary="", definition="y", reason="nul tag", tags="a\x00b")
def test_proposal_form_answers_with_a_message_or_a_proposal(
    reader_client, world, it, name, summary, definition, reason, tags
):
    before = snapshot()
    response = reader_client.post(
        reverse("glossary:term_propose_new"),
        {"name": name, "summary": summary, "definition_it": definition, "reason": reason, "tags": tags},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert response.context["form"].errors
        assert snapshot() == before
    else:
        assert Proposal.objects.count() == before[2] + 1
        assert snapshot()[:2] == before[:2], "a proposal never changes the glossary itself"


@pytest.mark.slow
@SETTINGS
@given(body=BROWSER_TEXT, comment=BROWSER_TEXT, revision=BROWSER_TEXT)
def test_comment_and_sign_off_forms_never_fail(client, world, ivan, body, comment, revision):
    _, proposal = world
    client.force_login(ivan)
    before = snapshot()
    response = client.post(reverse("glossary:proposal_action", args=[proposal.pk, "comment"]), {"body": body})
    assert response.status_code in (302, 400)
    response = client.post(
        reverse("glossary:proposal_action", args=[proposal.pk, "request_changes"]),
        {"comment": comment, "revision": revision},
    )
    assert response.status_code in (302, 400, 403)
    after = snapshot()
    assert after[:3] == before[:3]


@pytest.mark.slow
@SETTINGS
@given(username=BROWSER_TEXT, password=BROWSER_TEXT, next_url=BROWSER_TEXT)
@example(username="x" * 100_000, password=" ", next_url="")
def test_login_form_never_fails(client, world, username, password, next_url, settings):
    settings.AXES_FAILURE_LIMIT = 10_000
    response = client.post(reverse("login"), {"username": username, "password": password, "next": next_url})
    assert response.status_code in (200, 302, 429)


@pytest.mark.slow
@SETTINGS
@given(
    data=st.one_of(st.binary(max_size=2000), st.sampled_from([b"", b"\x00" * 10, b"\xff\xfe\x00\x00", b"name\n\x00"]))
)
def test_import_of_any_bytes_never_fails_and_never_half_imports(client, world, admin_user, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    before = snapshot()
    upload = SimpleUploadedFile("junk.csv", data, content_type="text/csv")
    response = client.post(reverse("glossary:glossary_import"), {"file": upload})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert snapshot() == before


@pytest.mark.slow
@SETTINGS
@given(
    status=BROWSER_TEXT,
    tag=BROWSER_TEXT,
    letter=BROWSER_TEXT,
    include=BROWSER_TEXT,
    history=BROWSER_TEXT,
    missing=BROWSER_TEXT,
    q=BROWSER_TEXT,
)
@example(status="approved", tag="architecture", letter="P", include="on", history="1", missing="it", q="omni")
def test_export_parameters_never_fail(reader_client, world, status, tag, letter, include, history, missing, q):
    params = {
        "status": status,
        "tag": tag,
        "letter": letter,
        "include_in_review": include,
        "history": history,
        "missing": missing,
        "q": q,
    }
    for name in ("glossary:glossary_csv", "glossary:glossary_json"):
        response = reader_client.get(reverse(name), params)
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response["Content-Disposition"].isascii() and len(response["Content-Disposition"]) < 160
    assert reader_client.get(reverse("glossary:glossary_pdf"), params).status_code in (200, 302, 400)


@pytest.mark.slow
@SETTINGS
@given(reason=BROWSER_TEXT, name=BROWSER_TEXT, revision=BROWSER_TEXT)
def test_deprecation_and_edit_forms_never_fail(client, world, ada, it, reason, name, revision):
    term, proposal = world
    client.force_login(ada)
    before = snapshot()
    response = client.post(reverse("glossary:term_propose_deprecation", args=[term.slug]), {"reason": reason})
    assert response.status_code in (302, 400)
    response = client.post(
        reverse("glossary:proposal_edit", args=[proposal.pk]),
        {"name": name, "definition_it": "x", "reason": reason, "revision": revision},
    )
    assert response.status_code in (302, 400)
    assert snapshot()[:2] == before[:2], "proposals never change the glossary itself"


@pytest.mark.parametrize("name", ["", "   ", "a\x00b", "x" * 500, " platform ", "PLATFORM"])
def test_admin_term_form_explains_bad_names(client, world, admin_user, it, name):
    client.force_login(admin_user)
    before = snapshot()
    response = client.post(
        reverse("admin:glossary_term_add"),
        {
            "name": name,
            "status": "draft",
            "change_reason": "test",
            "definitions-TOTAL_FORMS": "1",
            "definitions-INITIAL_FORMS": "0",
            "definitions-MIN_NUM_FORMS": "0",
            "definitions-MAX_NUM_FORMS": "1000",
            "definitions-0-department": str(it.pk),
            "definitions-0-text": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert snapshot() == before


# Limits: counted on the text as it is stored, checked where the input enters, and whatever is
# accepted can be published. Every limit is read from the models, so a changed limit moves the tests.

from glossary import text  # noqa: E402
from glossary.models import Definition, Tag  # noqa: E402
from glossary.models.fields import max_length  # noqa: E402

# Characters whose stored form differs from what is typed: NFKC spells some out ("ﷺ" is 18
# letters, "ﬁ" two), composes others ("e" + combining acute is one "é"), and case folding, which
# name keys use, doubles or triples some ("ß" → "ss", "ΐ" → three code points).
TROUBLE = ["a", "ß", "ﬁ", "ﷺ", "ΐ", "İ", "Ａ", "e\u0301"]


def stored_name(value: str) -> str:
    return text.normalise_name(value)


def stored_text(value: str) -> str:
    return text.normalise_newlines(value).strip()


def stored_plain(value: str) -> str:
    return value.strip()


def of_stored_length(unit: str, length: int, stored) -> str:
    """`unit` repeated and padded with "a" so that its stored form has exactly `length` characters."""
    per_unit = len(stored(unit))
    value = unit * (length // per_unit)
    value += "a" * (length - len(stored(value)))
    assert len(stored(value)) == length
    return value


def synonyms_of_stored_length(unit: str, length: int) -> str:
    """Distinct synonyms, one per line, each within a name's limit, totalling `length` stored characters."""
    lines, used = [], 0
    while used < length:
        room = length - used - (1 if lines else 0)  # a line break before every synonym but the first
        width = min(99, room)
        if room - width == 1:  # one character left would hold only a line break
            width -= 2
        number = f"{len(lines):03d}"
        per_unit = len(stored_name(unit))
        lines.append(of_stored_length(unit, width - 3, stored_name) + number if width - 3 >= per_unit else "b" * width)
        used += len(stored_name(lines[-1])) + (1 if len(lines) > 1 else 0)
    value = "\n".join(lines)
    assert len("\n".join(text.split_lines(value))) == length
    return value


# Each limited input of the proposal form: its form field, its declared limit, and the value of
# that stored length made of a troublesome character.
LIMITED_INPUTS = {
    "name": (lambda: max_length(Term, "name"), lambda unit, n: of_stored_length(unit, n, stored_name)),
    "abbreviation": (lambda: max_length(Term, "abbreviation"), lambda unit, n: of_stored_length(unit, n, stored_plain)),
    "synonyms": (lambda: max_length(Term, "synonyms"), synonyms_of_stored_length),
    "one synonym": (lambda: max_length(Term, "name"), lambda unit, n: of_stored_length(unit, n, stored_name)),
    "summary": (
        lambda: max_length(Term, "summary"),
        lambda unit, n: of_stored_length(unit + "\r\n" + unit, n, stored_text),
    ),
    "examples": (lambda: max_length(Term, "examples"), lambda unit, n: of_stored_length(unit, n, stored_text)),
    "definition_it": (
        lambda: max_length(Definition, "text"),
        lambda unit, n: of_stored_length(unit + "\r\n" + unit, n, stored_text),
    ),
    "tags": (lambda: max_length(Tag, "name"), lambda unit, n: of_stored_length(unit, n, stored_name)),
    "reason": (lambda: max_length(Proposal, "reason"), lambda unit, n: of_stored_length(unit, n, stored_text)),
}
FORM_FIELD = {"one synonym": "synonyms"}
NUMBERS = itertools.count()  # names stay distinct: the examples share one database


def sign_off_through_the_pages(client, proposal, *approvers):
    for approver in approvers:
        client.force_login(approver)
        proposal.refresh_from_db()
        response = client.post(
            reverse("glossary:proposal_action", args=[proposal.pk, "approve"]), {"revision": proposal.revision}
        )
        assert response.status_code == 302, response.content.decode()[:500]
    proposal.refresh_from_db()
    return proposal


@pytest.mark.slow
@SETTINGS
@given(which=st.sampled_from(sorted(LIMITED_INPUTS)), unit=st.sampled_from(TROUBLE), past=st.booleans())
@example(which="name", unit="ﷺ", past=False)
@example(which="name", unit="ﷺ", past=True)
@example(which="name", unit="ß", past=False)
@example(which="name", unit="ΐ", past=False)
@example(which="tags", unit="a", past=True)
@example(which="tags", unit="ﷺ", past=True)
@example(which="definition_it", unit="ß", past=False)
@example(which="summary", unit="e\u0301", past=True)
def test_values_at_a_limit_publish_and_values_past_it_are_refused_at_the_form(
    client, ada, ivan, marco, it, which, unit, past
):
    """At the limit, counted as stored, a proposal goes through both sign-offs to publication on
    the database; one character past it, the form says so next to the field and nothing is saved."""
    limit, make = LIMITED_INPUTS[which]
    number = f"{next(NUMBERS):04d}"
    if which == "name":
        value = make(unit, limit() + past - len(number)) + number
    else:
        value = make(unit, limit() + past)
    field = FORM_FIELD.get(which, which)
    data = {"name": f"Limit test {number}", "definition_it": "A definition.", "reason": "Testing limits", field: value}
    client.force_login(ada)
    before = snapshot()
    response = client.post(reverse("glossary:term_propose_new"), data)
    if past:
        assert response.status_code == 400
        assert response.context["form"].errors[field], response.context["form"].errors
        assert snapshot() == before
        return
    assert response.status_code == 302, response.context["form"].errors
    proposal = sign_off_through_the_pages(client, Proposal.objects.latest("pk"), ivan, marco)
    assert proposal.state == Proposal.State.PUBLISHED, [c.body for c in proposal.comments.all()]
    term = proposal.term
    stored = {
        "name": term.name,
        "abbreviation": term.abbreviation,
        "synonyms": term.synonyms,
        "one synonym": term.synonyms,
        "summary": term.summary,
        "examples": term.examples,
        "definition_it": term.definitions.get(department=it).text,
        "tags": ", ".join(t.name for t in term.tags.all()),
        "reason": proposal.reason,
    }[which]
    assert len(stored) == limit()


def name_that_grows():
    return "ﷺ" * 8  # 8 characters typed, 151 once NFKC spells each one out


@pytest.mark.parametrize("form", ["new", "change", "restore", "edit"])
def test_a_name_that_grows_past_its_limit_is_refused_on_every_proposal_form(client, world, ada, it, form):
    """Cause 1: the length was checked before normalising, so the database refused it (500)."""
    term, proposal = world
    url = {
        "new": reverse("glossary:term_propose_new"),
        "change": reverse("glossary:term_propose_change", args=[term.slug]),
        "restore": reverse("glossary:term_propose_restore", args=[term.slug, 1]),
        "edit": reverse("glossary:proposal_edit", args=[proposal.pk]),
    }[form]
    client.force_login(ada)
    before = snapshot()
    response = client.post(
        url, {"name": name_that_grows(), "definition_it": "x", "reason": "why", "revision": proposal.revision}
    )
    assert response.status_code == 400
    assert "At most 120 characters" in response.context["form"].errors["name"][0]
    assert snapshot() == before


def test_a_name_that_grows_past_its_limit_is_refused_by_the_admin_term_form(client, world, admin_user, it):
    client.force_login(admin_user)
    before = snapshot()
    response = client.post(
        reverse("admin:glossary_term_add"),
        {
            "name": name_that_grows(),
            "status": "draft",
            "change_reason": "test",
            "definitions-TOTAL_FORMS": "1",
            "definitions-INITIAL_FORMS": "0",
            "definitions-MIN_NUM_FORMS": "0",
            "definitions-MAX_NUM_FORMS": "1000",
            "definitions-0-department": str(it.pk),
            "definitions-0-text": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert snapshot() == before


def test_a_name_whose_case_folded_key_is_twice_as_long_publishes(client, ada, ivan, marco, it):
    """Cause 2: 61 × “ß” fits the name's 120 characters, but its lookup key (“ss” each) did not."""
    client.force_login(ada)
    response = client.post(
        reverse("glossary:term_propose_new"), {"name": "ß" * 61, "definition_it": "x", "reason": "why"}
    )
    assert response.status_code == 302
    proposal = sign_off_through_the_pages(client, Proposal.objects.get(), ivan, marco)
    assert proposal.state == Proposal.State.PUBLISHED
    assert proposal.term.name_key == "ss" * 61


def test_a_tag_longer_than_its_column_is_refused_when_proposed_not_when_published(client, ada, it):
    """Cause 2: the form allowed 500 characters of tags; a tag holds 60, so publishing failed."""
    client.force_login(ada)
    response = client.post(
        reverse("glossary:term_propose_new"),
        {"name": "Tagged", "definition_it": "x", "reason": "why", "tags": "t" * 61},
    )
    assert response.status_code == 400
    assert "at most 60 characters" in response.context["form"].errors["tags"][0]
    assert not Proposal.objects.exists()


def test_too_many_tags_are_refused_when_proposed(client, ada, it):
    client.force_login(ada)
    tags = ", ".join(f"tag {n}" for n in range(Term.MAX_TAGS + 1))
    response = client.post(
        reverse("glossary:term_propose_new"), {"name": "Tagged", "definition_it": "x", "reason": "why", "tags": tags}
    )
    assert response.status_code == 400
    assert f"At most {Term.MAX_TAGS} tags" in response.context["form"].errors["tags"][0]


def test_tags_sharing_an_address_are_refused_when_proposed_with_the_right_message(client, world, ada, it):
    """Cause 7: “x y” and “x-y” share the slug x-y; publishing failed saying the *name* was taken."""
    client.force_login(ada)
    tag_from_world = Tag.objects.get(name="Architecture")
    response = client.post(
        reverse("glossary:term_propose_new"),
        {"name": "Tagged", "definition_it": "x", "reason": "why", "tags": "architecture!"},
    )
    assert response.status_code == 400
    message = response.context["form"].errors["tags"][0]
    assert "would share its address with the tag “Architecture”" in message
    assert tag_from_world.name in message and "name" not in message.split(":")[0]
    response = client.post(
        reverse("glossary:term_propose_new"),
        {"name": "Tagged", "definition_it": "x", "reason": "why", "tags": "x y, x-y"},
    )
    assert response.status_code == 400
    assert "differ only in spacing or punctuation" in response.context["form"].errors["tags"][0]


def test_a_tag_taken_between_proposal_and_publication_sends_it_back_with_the_tags_reason(
    ada, ivan, marco, it, marketing
):
    from glossary.services.proposals import proposal_create
    from glossary.services.terms import tags_from_names
    from tests.workflow_helpers import approve, new_term_entry

    proposal = proposal_create(
        author=ada, reason="New", entry=new_term_entry(it, marketing, name="Pilot", tags=("x y",))
    )
    tags_from_names(["x-y"], user=ada)
    approve(proposal, ivan)
    approve(proposal, marco)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CHANGES_REQUESTED
    note = proposal.comments.last().body
    assert "would share its address with the tag “x-y”" in note and "this name" not in note
    assert not Term.objects.filter(name="Pilot").exists()


def test_tags_without_latin_letters_get_distinct_addresses(ada):
    from glossary.services.terms import tags_from_names

    tags = tags_from_names(["市场", "营销", "!!!"], user=ada)
    assert len({tag.slug for tag in tags}) == 3


# Repeated submits: a double click or a form sent again from a stale tab gets a message the second
# time, never a crash and never a second copy.


def message_shown(response) -> str:
    """The message a page shows about what just happened: form errors, a notice, or a refusal."""
    context = response.context
    for name in ("form", "decision_form"):
        form = context.get(name) if context else None
        if form is not None and form.errors:
            return " ".join(" ".join(messages) for messages in form.errors.values())
    notices = [m.message for m in context.get("messages", [])] if context else []
    errors = [m for m in notices if "changed" in m or "already" in m]
    if errors:
        return " ".join(errors)
    return (context.get("exception") or "") if context else ""


@pytest.mark.parametrize(
    "what", ["new term", "change", "deprecation", "edit", "approve", "request changes", "reject", "withdraw"]
)
def test_a_form_sent_twice_gets_a_message_the_second_time_and_changes_nothing_more(client, world, ada, ivan, it, what):
    term, proposal = world
    content = {"name": "Platform", "definition_it": "Tools to build on, with APIs.", "reason": "Sharper"}
    forms = {
        "new term": (ada, reverse("glossary:term_propose_new"), {**content, "name": "Pipeline"}),
        "change": (ada, reverse("glossary:term_propose_change", args=[term.slug]), content),
        "deprecation": (ada, reverse("glossary:term_propose_deprecation", args=[term.slug]), {"reason": "Unused"}),
        "edit": (
            ada,
            reverse("glossary:proposal_edit", args=[proposal.pk]),
            {**content, "name": "Pilot", "revision": 1},
        ),
        "approve": (ivan, reverse("glossary:proposal_action", args=[proposal.pk, "approve"]), {"revision": 1}),
        "request changes": (
            ivan,
            reverse("glossary:proposal_action", args=[proposal.pk, "request_changes"]),
            {"revision": 1, "comment": "Say more"},
        ),
        "reject": (
            ivan,
            reverse("glossary:proposal_action", args=[proposal.pk, "reject"]),
            {"revision": 1, "comment": "No"},
        ),
        "withdraw": (ada, reverse("glossary:proposal_action", args=[proposal.pk, "withdraw"]), {}),
    }
    user, url, data = forms[what]
    client.force_login(user)
    assert client.post(url, data).status_code == 302
    after_first = snapshot()
    again = client.post(url, data, follow=True)
    assert again.status_code in (200, 400, 403)
    assert message_shown(again), again.content.decode()[:2000]
    assert snapshot() == after_first


@pytest.mark.parametrize("field", ["name", "abbreviation", "synonyms", "summary", "examples", "tags", "definitions"])
def test_nul_in_any_field_of_an_entry_is_refused_before_the_database_sees_it(world, ada, it, field):
    """PostgreSQL refuses NUL even inside a query (a tag lookup), so the check comes first."""
    from dataclasses import replace

    from django.core.exceptions import ValidationError

    from glossary.services.proposals import proposal_create
    from tests.workflow_helpers import new_term_entry

    entry = new_term_entry(it, it, name="Clean")
    value = {"tags": ("a\x00b",), "definitions": {it.pk: "a\x00b"}}.get(field, "a\x00b")
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        proposal_create(author=ada, reason="NUL", entry=replace(entry, **{field: value}))
    assert "Null characters" in " ".join(refused.value.message_dict[field])
    assert snapshot() == before


def test_a_16000_character_repetitive_text_shows_only_its_edits_on_the_proposal_and_history_pages(
    client, make_term, ada, ivan, marco, it
):
    """Cause 6: one token per word and no junk heuristic made this diff quadratic (13 s per page).
    The time is shown by bench/diffs.py; here, that such a text still diffs to just its edits. (A
    summary now holds 5,000 characters; a definition holds 20,000.)"""
    from glossary.services.proposals import proposal_create
    from tests.workflow_helpers import approve

    words = ["a"] * 8000
    term = make_term("Repetition", it_text=" ".join(words), status=Term.Status.APPROVED)
    words[1000], words[7000] = "first", "second"
    entry = replace(Entry.from_term(term), definitions={it.pk: " ".join(words)})
    proposal = proposal_create(author=ada, reason="Two edits", entry=entry, term=term)

    def marked(page: str) -> tuple[list[str], list[str]]:
        legend = "inserted words"  # the page's key to the colours
        return [w for w in re.findall(r"<ins>(.*?)</ins>", page) if w != legend], re.findall(r"<del>(a)</del>", page)

    # Twice each: the definition as it reads, then its Markdown source.
    client.force_login(ivan)
    both = (["first", "second"] * 2, ["a", "a"] * 2)
    assert marked(client.get(proposal.get_absolute_url()).content.decode()) == both
    approve(proposal, ivan)
    approve(proposal, marco)
    history = client.get(reverse("glossary:term_history", args=[term.slug])).content.decode()
    assert marked(history) == both
