"""Clumsy or hostile input anywhere: never a 500, and the database keeps exactly what it had.

Generated cases come from hypothesis; a list of known troublemakers is always included.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from glossary.models import Comment, Proposal, SignOff, Term

NASTY = [
    "", " ", "\t\n", "x" * 100_000, "a\x00b", "\x00", "😀🚀", "مرحبا بالعالم", "‮evil‭", "ﬁ", "Ｐlatform",
    "Plat\u00adform", "<script>alert(1)</script>", "'; DROP TABLE glossary_term; --", "%00", "../../etc/passwd",
    "-1", "0", "999999999999999999999", "abc", "1e10", "null", "[]", "{}",
]
# Text a browser can send: any characters except lone surrogates, which have no UTF-8 form.
BROWSER_TEXT = st.one_of(st.sampled_from(NASTY), st.text(st.characters(exclude_categories=["Cs"]), max_size=300))
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def snapshot():
    return (
        list(Term.objects.order_by("pk").values_list("pk", "name", "version")),
        Term.history.count(),
        Proposal.objects.count(),
        SignOff.objects.count(),
        Comment.objects.count(),
    )


@pytest.fixture
def world(make_term, ada, it, marketing):
    from glossary.services.proposals import proposal_create
    from tests.workflow_helpers import new_term_entry

    term = make_term("Platform", it_text="Tools to build on.", marketing_text="A complete system.", tags=["Architecture"])
    proposal = proposal_create(author=ada, reason="New", entry=new_term_entry(it, marketing, name="Pilot"))
    return term, proposal


@SETTINGS
@given(q=BROWSER_TEXT, status=BROWSER_TEXT, missing=BROWSER_TEXT, tag=BROWSER_TEXT, letter=BROWSER_TEXT, page=BROWSER_TEXT)
@example(q="omni channel", status="approved", missing="it", tag="architecture", letter="P", page="-1")
def test_home_page_query_parameters_never_fail(reader_client, world, q, status, missing, tag, letter, page):
    before = snapshot()
    response = reader_client.get(
        reverse("glossary:term_list"), {"q": q, "status": status, "missing": missing, "tag": tag, "letter": letter, "page": page}
    )
    assert response.status_code == 200
    assert snapshot() == before


@pytest.mark.parametrize("url", ["/?q=%ED%A0%80", "/?page=%FF%FE", "/terms/%FF/", "/?q=%00", "/export/glossary.pdf?letter=%C0"])
def test_undecodable_bytes_in_urls_never_fail(reader_client, world, url):
    assert reader_client.get(url).status_code in (200, 400, 404)


@pytest.mark.parametrize("slug", ["..", "%2e%2e", "a" * 500, "UPPER", "with space", "ümlaut", "-", "_"])
def test_malformed_slugs_get_a_404(reader_client, world, slug):
    assert reader_client.get(f"/terms/{slug}/").status_code == 404
    assert reader_client.get(f"/terms/{slug}/history/").status_code == 404


@SETTINGS
@given(frm=BROWSER_TEXT, to=BROWSER_TEXT)
def test_history_compare_parameters_never_fail(reader_client, world, frm, to):
    term, _ = world
    assert reader_client.get(reverse("glossary:term_history", args=[term.slug]), {"from": frm, "to": to}).status_code == 200


@SETTINGS
@given(name=BROWSER_TEXT, summary=BROWSER_TEXT, definition=BROWSER_TEXT, reason=BROWSER_TEXT, tags=BROWSER_TEXT)
@example(name="PLATFORM", summary="", definition="x", reason="dup", tags="")
@example(name="Ｐlatform", summary="", definition="x", reason="dup", tags="")
@example(name="a\x00b", summary="", definition="x", reason="nul", tags="")
@example(name="Latency", summary="x" * 100_000, definition="y", reason="huge", tags="")
def test_proposal_form_answers_with_a_message_or_a_proposal(reader_client, world, it, name, summary, definition, reason, tags):
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


@SETTINGS
@given(body=BROWSER_TEXT, comment=BROWSER_TEXT, revision=BROWSER_TEXT)
def test_comment_and_sign_off_forms_never_fail(client, world, ivan, body, comment, revision):
    _, proposal = world
    client.force_login(ivan)
    before = snapshot()
    response = client.post(reverse("glossary:proposal_action", args=[proposal.pk, "comment"]), {"body": body})
    assert response.status_code in (302, 400)
    response = client.post(
        reverse("glossary:proposal_action", args=[proposal.pk, "request_changes"]), {"comment": comment, "revision": revision}
    )
    assert response.status_code in (302, 400, 403)
    after = snapshot()
    assert after[:3] == before[:3]


@SETTINGS
@given(username=BROWSER_TEXT, password=BROWSER_TEXT, next_url=BROWSER_TEXT)
@example(username="x" * 100_000, password=" ", next_url="")
def test_login_form_never_fails(client, world, username, password, next_url, settings):
    settings.AXES_FAILURE_LIMIT = 10_000
    response = client.post(reverse("login"), {"username": username, "password": password, "next": next_url})
    assert response.status_code in (200, 302, 429)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=2000), st.sampled_from([b"", b"\x00" * 10, b"\xff\xfe\x00\x00", b"name\n\x00"])))
def test_import_of_any_bytes_never_fails_and_never_half_imports(client, world, admin_user, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    before = snapshot()
    upload = SimpleUploadedFile("junk.csv", data, content_type="text/csv")
    response = client.post(reverse("glossary:glossary_import"), {"file": upload})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert snapshot() == before


@SETTINGS
@given(status=BROWSER_TEXT, tag=BROWSER_TEXT, letter=BROWSER_TEXT, include=BROWSER_TEXT, history=BROWSER_TEXT)
@example(status="approved", tag="architecture", letter="P", include="on", history="1")
def test_export_parameters_never_fail(reader_client, world, status, tag, letter, include, history):
    params = {"status": status, "tag": tag, "letter": letter, "include_in_review": include, "history": history}
    for name in ("glossary:glossary_csv", "glossary:glossary_json"):
        assert reader_client.get(reverse(name), params).status_code in (200, 400)
    assert reader_client.get(reverse("glossary:glossary_pdf"), params).status_code in (200, 302, 400)


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
            "name": name, "status": "draft", "change_reason": "test",
            "definitions-TOTAL_FORMS": "1", "definitions-INITIAL_FORMS": "0",
            "definitions-MIN_NUM_FORMS": "0", "definitions-MAX_NUM_FORMS": "1000",
            "definitions-0-department": str(it.pk), "definitions-0-text": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert snapshot() == before
