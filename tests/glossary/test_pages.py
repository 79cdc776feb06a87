import html
import re

import pytest
from django.urls import reverse

from accounts.models import Department
from glossary.models import Term
from glossary.services.terms import term_save

LIST = reverse("glossary:term_list")


def listed(response) -> list[str]:
    """The term names a list page shows, in order."""
    return [
        html.unescape(name)
        for name in re.findall(r'<h2><a href="/terms/[^"]+/">([^<]*)</a>', response.content.decode())
    ]


@pytest.fixture
def omnichannel(make_term):
    return make_term(
        "Omnichannel",
        synonyms="omni-channel",
        summary="One experience across channels.",
        examples="- IT: *every end point* in sync",
        it_text="Fully integrated systems with real-time data flow.\n\nSecond paragraph.",
        marketing_text="A consistent customer experience at every touchpoint.",
        status=Term.Status.APPROVED,
        tags=["Customer experience"],
    )


def test_anonymous_visitors_are_sent_to_log_in(client, omnichannel):
    for url in [LIST, omnichannel.get_absolute_url(), reverse("glossary:term_history", args=[omnichannel.slug])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_reading_can_be_opened_to_everyone(client, omnichannel, settings):
    settings.GLOSSARY_PUBLIC_READ = True
    assert client.get(omnichannel.get_absolute_url()).status_code == 200


def test_demo_user_can_log_in_and_out(client, ada):
    response = client.post(reverse("login"), {"username": "ada", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert client.get(LIST).status_code == 200
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(LIST).status_code == 302


def test_wrong_password_shows_a_message(client, ada):
    response = client.post(reverse("login"), {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_list_shows_name_abbreviation_status_and_first_line_per_department(reader_client, make_term):
    make_term(
        "Key performance indicator",
        abbreviation="KPI",
        status=Term.Status.IN_REVIEW,
        it_text="A monitored service level.\n\nMore detail here.",
    )
    page = reader_client.get(LIST).content.decode()
    assert "Key performance indicator" in page
    assert '<abbr class="abbreviation">KPI</abbr>' in page
    assert "In review" in page
    assert "A monitored service level." in page
    assert "More detail here." not in page
    assert "No Marketing definition yet" in page


def test_list_filters_by_status_tag_letter_and_missing_definition(reader_client, make_term, marketing):
    make_term("Agile", status=Term.Status.IN_REVIEW, it_text="A method.", marketing_text="Fast turns.")
    make_term("Firewall", status=Term.Status.APPROVED, it_text="A filter.", tags=["Security"])
    make_term("Budget", status=Term.Status.DRAFT, it_text="Run cost.", marketing_text="Spend.")

    def shown(**params):
        return listed(reader_client.get(LIST, params))

    assert shown(status="approved") == ["Firewall"]
    assert shown(tag="security") == ["Firewall"]
    assert shown(letter="B") == ["Budget"]
    assert shown(missing="marketing") == ["Firewall"]
    assert shown(status="in_review", letter="A") == ["Agile"]


def test_filters_fold_away_unless_one_is_set(reader_client, omnichannel):
    """Without JavaScript the filters start folded (a phone sees the terms first), but never hide a
    filter that is in use; the search box is outside the fold."""
    folded = r'<details class="fold filter-fields" data-open-wide>'
    opened = r'<details class="fold filter-fields" data-open-wide open>'
    plain = reader_client.get(LIST).content.decode()
    assert folded in plain and plain.index('type="search"') < plain.index(folded)
    assert folded in reader_client.get(LIST, {"q": "omni"}).content.decode()
    for params in [{"status": "approved"}, {"tag": "customer-experience"}, {"letter": "O"}, {"status": "nonsense"}]:
        assert opened in reader_client.get(LIST, params).content.decode(), params


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"missing": "no-such-department"},
        {"tag": "no-such-tag"},
        {"letter": "ZZ"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "999999999999"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
    ],
)
def test_bad_query_parameters_give_a_normal_page(reader_client, omnichannel, params):
    response = reader_client.get(LIST, params)
    assert response.status_code == 200


def test_unknown_filter_value_is_explained_next_to_the_field(reader_client, omnichannel):
    page = reader_client.get(LIST, {"status": "nonsense"}).content.decode()
    assert "Select a valid choice" in page
    assert "Omnichannel" in page


def test_list_paginates(reader_client, make_term, settings):
    settings.GLOSSARY_PAGE_SIZE = 2
    for name in ["Alpha", "Beta", "Gamma"]:
        make_term(name)
    assert listed(reader_client.get(LIST)) == ["Alpha", "Beta"]
    assert listed(reader_client.get(LIST, {"page": 2})) == ["Gamma"]
    assert "Page 1 of 2" in reader_client.get(LIST).content.decode()


def test_list_pages_are_shared_until_the_glossary_changes(reader_client, make_term, ada, it, settings):
    settings.GLOSSARY_PAGE_SIZE = 2
    alpha = make_term("Alpha", it_text="Old first line.")
    make_term("Beta")
    make_term("Gamma")
    assert listed(reader_client.get(LIST, {"letter": "A"})) == ["Alpha"]
    make_term("Avocado")
    assert listed(reader_client.get(LIST, {"letter": "A"})) == ["Alpha", "Avocado"]
    assert "Old first line." in reader_client.get(LIST, {"q": "alpha"}).content.decode()
    term_save(term=alpha, user=ada, reason="Rename", fields={"name": "Zulu"}, definitions={it: "New first line."})
    assert listed(reader_client.get(LIST, {"letter": "A"})) == ["Avocado"]
    found = reader_client.get(LIST, {"q": "zulu"})  # a card a search showed before is rendered anew
    assert listed(found) == ["Zulu"] and "New first line." in found.content.decode()
    # Pagination links carry the valid filters only, whatever else the address held.
    page = reader_client.get(LIST, {"status": "nonsense", "junk": "x", "page": "1"}).content.decode()
    pagination = page.split('class="pagination"')[1].split("</nav>")[0]
    assert 'href="?page=2"' in page and "junk" not in pagination


def test_empty_glossary_and_empty_search_say_so(reader_client):
    assert "The glossary is empty" in reader_client.get(LIST).content.decode()
    assert "No terms match" in reader_client.get(LIST, {"q": "zzz"}).content.decode()


def test_search_box_finds_omnichannel_from_omni_channel(reader_client, omnichannel, make_term):
    make_term("Firewall", it_text="A filter.")
    assert listed(reader_client.get(LIST, {"q": "omni channel"})) == ["Omnichannel"]


def test_term_page_shows_definitions_side_by_side_with_common_ground(reader_client, omnichannel, make_term):
    api = make_term("API")
    term_save(term=omnichannel, user=api.history.first().history_user, reason="Link API", related_terms=[api])
    page = reader_client.get(omnichannel.get_absolute_url()).content.decode()
    assert page.index("Common ground") < page.index('id="definition-it"') < page.index('id="definition-marketing"')
    assert "One experience across channels." in page
    assert "Fully integrated systems with real-time data flow." in page
    assert "A consistent customer experience at every touchpoint." in page
    assert "<em>every end point</em>" in page
    assert 'href="/terms/api/"' in page
    assert "Customer experience" in page
    assert "Also called: omni-channel" in page
    assert "Last changed by <strong>Ada Lindqvist</strong>" in page
    assert "Link API" in page


def test_term_page_is_rendered_once_per_glossary_state_and_shows_every_change_at_once(
    reader_client, omnichannel, ada, it
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = omnichannel.get_absolute_url()
    assert "to every end point" not in reader_client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        page = reader_client.get(url).content.decode()
    assert "Fully integrated systems" in page
    assert not [q for q in queries if "glossary_definition" in q["sql"]], "the shared part came from the cache"
    term_save(
        term=omnichannel,
        user=ada,
        reason="Name the end points",
        definitions={it: "Fully integrated systems with real-time data flow to every end point."},
    )
    page = reader_client.get(url).content.decode()
    assert "to every end point" in page and "Name the end points" in page
    ada.first_name = "Adaline"
    ada.save()  # names in "Last changed by" come from users, who are part of the glossary's state
    assert "Last changed by <strong>Adaline Lindqvist</strong>" in reader_client.get(url).content.decode()


def test_missing_definition_and_summary_have_an_empty_state(reader_client, make_term):
    term = make_term("Firewall", it_text="A network filter.")
    page = reader_client.get(term.get_absolute_url()).content.decode()
    assert "No Marketing definition yet." in page
    assert "have not agreed on a shared meaning yet" in page


def test_history_page_lists_versions_and_diffs_two_of_them(reader_client, omnichannel, ada, it):
    term_save(
        term=omnichannel,
        user=ada,
        reason="Name the end points",
        definitions={it: "Fully integrated systems with real-time data flow to every end point."},
    )
    response = reader_client.get(reverse("glossary:term_history", args=[omnichannel.slug]))
    page = response.content.decode()
    assert "Name the end points" in page and "Test term" in page
    assert "<ins> to every end point</ins>" in page
    assert "<del>\n\nSecond paragraph.</del>" in page
    changed = [c["label"] for c in response.context["changed_fields"]]
    assert changed == ["What IT means"]
    assert "Unchanged fields (" in page


def test_history_page_shows_a_new_version_at_once(reader_client, omnichannel, ada):
    url = reverse("glossary:term_history", args=[omnichannel.slug])
    assert "Tighter wording" not in reader_client.get(url).content.decode()
    term_save(term=omnichannel, user=ada, reason="Tighter wording", fields={"summary": "One story across channels."})
    page = reader_client.get(url).content.decode()
    assert "Tighter wording" in page and "<del>experience</del><ins>story</ins>" in page


def test_history_page_compares_chosen_versions_in_either_order(reader_client, omnichannel, ada):
    term_save(term=omnichannel, user=ada, reason="v2", fields={"summary": "One story across channels."})
    term_save(term=omnichannel, user=ada, reason="v3", fields={"abbreviation": "OMNI"})
    v3, v2, v1 = [
        v.history_id
        for v in reader_client.get(reverse("glossary:term_history", args=[omnichannel.slug])).context["versions"]
    ]
    url = reverse("glossary:term_history", args=[omnichannel.slug])
    page = reader_client.get(url, {"from": v3, "to": v1}).content.decode()
    assert "Changes from version 1 to version 3" in page
    assert "<del>experience</del><ins>story</ins>" in page
    assert "<ins>OMNI</ins>" in page
    assert reader_client.get(url, {"from": "junk", "to": "-5"}).status_code == 200


def test_unknown_term_gets_the_404_page(reader_client, settings):
    settings.DEBUG = False
    response = reader_client.get("/terms/does-not-exist/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_third_department_gets_a_definition_slot_everywhere(reader_client, make_term):
    term = make_term("Budget", it_text="Run and change cost.", marketing_text="Media spend.")
    Department.objects.create(name="Finance", slug="finance", position=30)
    page = reader_client.get(term.get_absolute_url()).content.decode()
    assert 'What <a href="/departments/finance">Finance</a> means' in page
    assert "No Finance definition yet." in page
    listing = reader_client.get(LIST, {"missing": "finance"})
    assert listed(listing) == ["Budget"]
    assert "No Finance definition yet" in listing.content.decode()


def test_inactive_department_gets_no_column(reader_client, make_term):
    Department.objects.create(name="Legal", slug="legal", position=40, is_active=False)
    term = make_term("Cookie", it_text="A small browser file.")
    assert 'id="definition-legal"' not in reader_client.get(term.get_absolute_url()).content.decode()


def list_page_queries(client, make_term, count) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(Term.objects.count(), count):
        make_term(f"Term {n:03}", it_text="IT words.", marketing_text="Marketing words.", tags=["Data"])
    client.get(LIST)  # steady state: what a visit caches is in place
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert len(listed(response)) == count
    return len(queries)


def test_list_page_query_count_does_not_grow_with_terms(
    client, ivan, make_term, settings, django_assert_max_num_queries
):
    settings.GLOSSARY_PAGE_SIZE = 50
    client.force_login(ivan)  # an approver: the navigation asks the most for them
    few = list_page_queries(client, make_term, 5)
    many = list_page_queries(client, make_term, 50)
    assert few == many
    with django_assert_max_num_queries(8):
        client.get(LIST)
