"""Every form that posts back with `next` goes there only when it is a path on this site
(common/redirects.py), else to its own page: never to another site, never a server error."""

import pytest
from django.urls import reverse
from django.utils import timezone

from glossary.models import Term, Watch
from tests.workflow_helpers import log_in_through_the_form, login, set_review_by

pytestmark = pytest.mark.django_db

GOOD = "/terms/x/?page=2"
REFUSED = [
    "foo",  # once tried as a view's name: NoReverseMatch, a 500
    "terms/x/",
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "/\t/evil.example",  # browsers drop the tab: //evil.example
    "/\n/evil.example",
    "javascript:alert(1)",
    "/terms/\x00",
    "\x00",
    "/" + "a" * 9_999,  # 10,000 characters
    "",
]


@pytest.fixture
def term(make_term):
    return make_term("Platform", it_text="Tools to build on.", status=Term.Status.APPROVED)


@pytest.fixture
def forms(client, ivan, term):
    """Each form that posts `next`: a function posting it, and where the form goes without one."""
    login(client, ivan)
    set_review_by(term, timezone.localdate(), ivan)

    def watch(next_url):
        return client.post(reverse("glossary:my_watches"), {"term": term.slug, "delivery": "daily", "next": next_url})

    def unwatch(next_url):
        watch_row = Watch.objects.create(user=ivan, target=Watch.Target.GLOSSARY, delivery="daily")
        return client.post(reverse("glossary:watch_remove", args=[watch_row.pk]), {"next": next_url})

    def confirm_review(next_url):
        return client.post(reverse("glossary:term_confirm_review", args=[term.slug]), {"next": next_url})

    return {
        "watch": (watch, term.get_absolute_url()),
        "unwatch": (unwatch, reverse("glossary:my_watches")),
        "confirm review": (confirm_review, term.get_absolute_url()),
    }


@pytest.mark.parametrize("form", ["watch", "unwatch", "confirm review"])
@pytest.mark.parametrize("next_url", REFUSED)
def test_a_next_that_is_no_path_on_this_site_goes_to_the_forms_own_page(forms, form, next_url):
    post, fallback = forms[form]
    response = post(next_url)
    assert response.status_code == 302
    assert response["Location"] == fallback


@pytest.mark.parametrize("form", ["watch", "unwatch", "confirm review"])
def test_a_path_on_this_site_is_where_the_form_goes_back_to(forms, form):
    post, _ = forms[form]
    response = post(GOOD)
    assert response.status_code == 302 and response["Location"] == GOOD


@pytest.mark.parametrize("next_url, expected", [(GOOD, GOOD)] + [(value, "/") for value in REFUSED])
def test_log_in_and_log_out_go_to_a_path_on_this_site_or_home(client, ada, next_url, expected):
    response = log_in_through_the_form(client, "ada", "pw-for-tests-only", next=next_url)
    assert response.status_code == 302 and response["Location"] == expected
    response = client.post(reverse("logout"), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == expected


def test_the_log_in_page_carries_only_a_safe_next(client, db):
    assert 'name="next" value="/terms/x/?page=2"' in client.get(reverse("login"), {"next": GOOD}).content.decode()
    page = client.get(reverse("login"), {"next": "//evil.example"}).content.decode()
    assert "evil.example" not in page
