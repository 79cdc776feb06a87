import pytest
from django.urls import reverse

from glossary.models import Term
from tests.workflow_helpers import term_form


def test_admin_edit_records_one_version_with_user_and_reason(admin_client, admin_user, make_term, it, marketing):
    term = make_term("Digital product", it_text="Custom software.")
    response = admin_client.post(reverse("admin:glossary_term_change", args=[term.pk]), term_form(term, it, marketing))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert term.history.count() == 2
    newest = term.history.first()
    assert newest.history_user == admin_user
    assert newest.history_change_reason == "Edited directly in the admin: Fix the IT wording"
    term.refresh_from_db()
    assert term.needs_reapproval
    from glossary.selectors.terms import term_versions

    assert term_versions(term)[0].entry.definitions == {
        it.pk: "Software we build and run ourselves.",
        marketing.pk: "A SaaS tool we subscribe to.",
    }
    definition = term.definitions.get(department=marketing)
    assert definition.history.first().history_user == admin_user
    assert definition.history.first().history_change_reason == "Fix the IT wording"


def test_admin_edit_needs_a_reason(admin_client, make_term, it, marketing):
    term = make_term("Digital product", it_text="Custom software.")
    response = admin_client.post(
        reverse("admin:glossary_term_change", args=[term.pk]), term_form(term, it, marketing, change_reason="")
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert term.history.count() == 1


def test_admin_refuses_a_duplicate_name_with_a_message(admin_client, make_term, it, marketing):
    make_term("Platform")
    term = make_term("Digital product", it_text="Custom software.")
    response = admin_client.post(
        reverse("admin:glossary_term_change", args=[term.pk]), term_form(term, it, marketing, name=" PLATFORM ")
    )
    assert response.status_code == 200
    assert "already in the glossary" in response.content.decode()
    term.refresh_from_db()
    assert term.name == "Digital product"


def test_admin_cannot_delete_terms_or_revert_history(admin_client, make_term):
    term = make_term("Web 2.0")
    assert admin_client.post(reverse("admin:glossary_term_delete", args=[term.pk]), {"post": "yes"}).status_code == 403
    assert Term.objects.filter(pk=term.pk).exists()
    version = term.history.first().history_id
    revert = reverse("admin:glossary_term_simple_history", args=[term.pk, version])
    assert admin_client.get(revert).status_code == 200
    assert admin_client.post(revert, {"name": "Hijacked"}).status_code == 403
    term.refresh_from_db()
    assert term.name == "Web 2.0"


@pytest.mark.parametrize(
    "url",
    [
        "admin:glossary_term_changelist",
        "admin:glossary_definition_changelist",
        "admin:glossary_tag_changelist",
        "admin:accounts_department_changelist",
        "admin:accounts_user_changelist",
        "admin:glossary_proposal_changelist",
        "admin:glossary_signoff_changelist",
        "admin:glossary_comment_changelist",
    ],
)
def test_every_model_has_an_admin_page(admin_client, make_term, url):
    make_term("API", it_text="An interface between programs.", tags=["Architecture"])
    assert admin_client.get(reverse(url)).status_code == 200


def test_contributors_cannot_open_the_admin(client, ada):
    client.force_login(ada)
    assert client.get(reverse("admin:glossary_term_changelist")).status_code == 302


def test_admin_add_offers_a_slot_per_department_and_records_one_version(admin_client, admin_user, it, marketing):
    form_page = admin_client.get(reverse("admin:glossary_term_add")).content.decode()
    assert f'<option value="{it.pk}" selected>IT</option>' in form_page
    assert f'<option value="{marketing.pk}" selected>Marketing</option>' in form_page
    data = {
        "name": "Load time",
        "abbreviation": "",
        "synonyms": "page speed",
        "summary": "",
        "examples": "",
        "status": "draft",
        "change_reason": "New term from the planning meeting",
        "definitions-TOTAL_FORMS": "2",
        "definitions-INITIAL_FORMS": "0",
        "definitions-MIN_NUM_FORMS": "0",
        "definitions-MAX_NUM_FORMS": "1000",
        "definitions-0-department": str(it.pk),
        "definitions-0-text": "Server response plus rendering time.",
        "definitions-1-department": str(marketing.pk),
        "definitions-1-text": "How long until the visitor sees the offer.",
    }
    response = admin_client.post(reverse("admin:glossary_term_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    term = Term.objects.get(name="Load time")
    assert term.history.count() == 1
    assert (
        term.history.first().history_change_reason == "Edited directly in the admin: New term from the planning meeting"
    )
    assert term.definitions.count() == 2
    assert "page speed" in term.search_document


def test_admin_user_change_records_the_reason(admin_client, ada, marketing):
    data = {
        "username": "ada",
        "first_name": "Ada",
        "last_name": "Lindqvist",
        "email": "",
        "is_active": "on",
        "department": str(marketing.pk),
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "change_reason": "Moved to Marketing",
    }
    response = admin_client.post(reverse("admin:accounts_user_change", args=[ada.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    ada.refresh_from_db()
    assert ada.department == marketing
    assert ada.history.first().history_change_reason == "Moved to Marketing"


def test_admin_cannot_create_or_change_proposals_or_sign_offs(admin_client, ada, it, marketing):
    from glossary.models import Proposal
    from glossary.services.proposals import proposal_create
    from tests.workflow_helpers import new_term_entry

    proposal = proposal_create(author=ada, reason="New", entry=new_term_entry(it, marketing))
    assert admin_client.get(reverse("admin:glossary_signoff_add")).status_code == 403
    assert admin_client.get(reverse("admin:glossary_proposal_add")).status_code == 403
    response = admin_client.post(reverse("admin:glossary_proposal_change", args=[proposal.pk]), {"state": "published"})
    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.IN_REVIEW


def test_staff_without_the_glossary_admin_role_cannot_edit_terms_in_the_admin(
    client, make_user, make_term, it, marketing
):
    staff = make_user("staffer", department=it, is_staff=True)
    client.force_login(staff)
    term = make_term("Digital product", it_text="Custom software.")
    response = client.post(
        reverse("admin:glossary_term_change", args=[term.pk]), term_form(term, it, marketing, name="Hijacked")
    )
    assert response.status_code == 403
    term.refresh_from_db()
    assert term.name == "Digital product"


def test_direct_admin_edit_is_shown_as_needing_renewed_approval(admin_client, make_term, it, marketing):
    term = make_term("Digital product", it_text="Custom software.")
    admin_client.post(reverse("admin:glossary_term_change", args=[term.pk]), term_form(term, it, marketing))
    page = admin_client.get(term.get_absolute_url()).content.decode()
    assert "edited directly by a glossary admin after its last sign-off" in page
    history = admin_client.get(reverse("glossary:term_history", args=[term.slug])).content.decode()
    assert "Edited directly in the admin: Fix the IT wording" in history
