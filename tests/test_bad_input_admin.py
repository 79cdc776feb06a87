"""Every page of every registered admin, asked with junk: never a 500, and the database unchanged.

The parameters come from each admin's own declarations (its filters' expected parameters, search
box, date hierarchy), read from `admin.site._registry`, so an admin added later, ours or a
third-party app's, is walked too without touching this file.
"""

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.test import RequestFactory
from django.urls import reverse

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
OK = {200, 302, 400, 404}

# Values as they appear in a query string, already percent-encoded: some are bytes no decoder reads.
JUNK = [
    "%00", "a%00b", "%FF%FE", "%C0%AF", "%ED%A0%80", quote("x" * 100_000), "9" * 40, "-" + "9" * 40, "-1", "0", "9999", "%5B%5D",
    quote("\u202eevil\u202d"), "maybe", "", "%25", "_", quote("'\"<>"), "2024-13-45", "1e400", "True",
]
JUNK_NAMES = ["junk", "%00", "a%00b", "%FF", quote("\u202ejunk"), "pk", "password", "e", "_to_field", "_popup", "all", "o", "p", "q"]


def url_name(model, view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def everything():
    """Every row of every registered model and of its history: what a GET must never change."""
    rows = {}
    for model, model_admin in ADMINS:
        rows[model._meta.label] = list(model._default_manager.order_by("pk").values())
        history = getattr(model, "history", None)
        if history is not None:
            rows[f"{model._meta.label} history"] = history.count()
    return rows


@pytest.fixture
def one_of_each(make_term, ada, ivan, maya, it, marketing, admin_user, client, settings, django_capture_on_commit_callbacks):
    """At least one object of each registered model, made the way the app makes them."""
    from glossary.models import Term
    from glossary.services.proposals import proposal_comment, proposal_create
    from tests.workflow_helpers import approve, new_term_entry

    term = make_term("Platform", it_text="Tools to build on.", marketing_text="A complete system.", tags=["Architecture"],
                     status=Term.Status.APPROVED)
    proposal = proposal_create(author=ada, reason="New", entry=new_term_entry(it, marketing, name="Pilot"))
    approve(proposal, ivan)
    proposal_comment(proposal=proposal, user=maya, body="Looks right.")
    # A PDF of more terms than the inline limit is left to the task worker: a task result.
    settings.GLOSSARY_PDF_INLINE_LIMIT = 0
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("glossary:glossary_pdf"))
    client.logout()
    # django-axes keeps failed logins (attempts and, when enabled, a failure log) and logins.
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    client.post(reverse("login"), {"username": "maya", "password": "wrong"})
    empty = [model._meta.label for model, _ in ADMINS if not model._default_manager.exists()]
    assert not empty, f"make one of each of these first: {empty}"
    return term


@pytest.fixture
def superuser_client(client, admin_user, one_of_each):
    client.force_login(admin_user)
    # A server error becomes a 500 to list, not an exception that hides the other cases.
    client.raise_request_exception = False
    return client


def changelist_parameters(model_admin, user) -> list[str]:
    """The parameters the changelist reads, as its filters and options declare them."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    names = [ORDER_VAR, PAGE_VAR]
    for spec in changelist.filter_specs:
        names += spec.expected_parameters()
    for name in model_admin.get_list_filter(request):
        field = name if isinstance(name, str) else name[0] if isinstance(name, tuple) else None
        if field:
            names += [f"{field}__isnull", f"{field}__exact", f"{field}__in"]
    if model_admin.get_search_fields(request):
        names.append(SEARCH_VAR)
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return list(dict.fromkeys(names))


def failures(client, urls) -> list[str]:
    found = []
    for url in urls:
        status = client.get(url).status_code
        # Some admins let nobody delete: their delete page refuses before it looks for the object.
        if status not in OK and not (status == 403 and url.endswith("/delete/")):
            found.append(f"{status} {url[:200]}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize("model, model_admin", ADMINS, ids=[model._meta.label for model, _ in ADMINS])
def test_every_changelist_answers_junk_parameters_without_a_server_error(superuser_client, admin_user, model, model_admin):
    changelist = reverse(url_name(model, "changelist"))
    assert superuser_client.get(changelist).status_code == 200
    before = everything()
    names = changelist_parameters(model_admin, admin_user) + JUNK_NAMES
    urls = [f"{changelist}?{name}={value}" for name in names for value in JUNK]
    urls += [f"{changelist}?{name}=1&{name}=2" for name in names]
    urls += [f"{changelist}?{SEARCH_VAR}={value}&{PAGE_VAR}=2&{ORDER_VAR}=-1.2" for value in JUNK]
    found = failures(superuser_client, urls)
    assert not found, "\n".join(found)
    assert everything() == before


def test_a_nul_in_a_filter_or_search_is_refused_with_a_clear_message(superuser_client):
    for url in ["/admin/glossary/proposal/?state__exact=%00", "/admin/auth/group/?q=%00", "/admin/glossary/term/?q=a%00b",
                "/admin/axes/accesslog/?path_info=%00", "/admin/glossary/term/?%00=1"]:
        response = superuser_client.get(url)
        assert response.status_code == 400, url
        assert "holds a NUL character (%00)" in response.content.decode()


def test_a_date_hierarchy_year_past_9998_is_refused_with_a_clear_message(superuser_client):
    for year in ["9999", "9" * 40, "0"]:
        response = superuser_client.get(f"/admin/axes/accesslog/?attempt_time__year={year}")
        assert response.status_code == 400
        assert "“attempt_time__year” must be a number from 1 to 9998" in response.content.decode()
    assert superuser_client.get("/admin/axes/accesslog/?attempt_time__year=9998&attempt_time__month=12").status_code == 200
    # Not a number: the admin's own "invalid filter" page, as before.
    assert superuser_client.get("/admin/axes/accesslog/?attempt_time__year=abc").status_code == 302


def test_a_filter_number_beyond_64_bits_is_refused_but_a_search_for_digits_is_not(superuser_client):
    huge = "9" * 40
    for url in [f"/admin/accounts/user/?department__exact={huge}", f"/admin/glossary/proposal/?p=-{huge}",
                f"/admin/django_tasks_database/dbtaskresult/?priority__in=1,{huge}"]:
        response = superuser_client.get(url)
        assert response.status_code == 400, url
        assert "holds a number larger than any database holds" in response.content.decode()
    assert superuser_client.get(f"/admin/accounts/user/?department__exact={2**63 - 1}").status_code == 200
    assert superuser_client.get(f"/admin/glossary/term/?q={huge}").status_code == 200


def test_a_search_of_more_than_ten_thousand_characters_is_refused_with_a_clear_message(superuser_client):
    response = superuser_client.get("/admin/glossary/term/", {"q": "x" * 10_001})
    assert response.status_code == 400
    assert "“q” is longer than 10,000 characters" in response.content.decode()
    assert superuser_client.get("/admin/glossary/term/", {"q": "x" * 10_000}).status_code == 200
