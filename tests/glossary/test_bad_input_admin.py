"""Every page of every registered admin, asked with junk: never a 500, and the database unchanged.

The parameters come from each admin's own declarations (its filters' expected parameters, search
box, date hierarchy), read from `admin.site._registry`, so an admin added later, ours or a
third-party app's, is walked too without touching this file.
"""

import datetime
import re
import time
from types import SimpleNamespace
from urllib.parse import quote, urljoin

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.core.exceptions import ObjectDoesNotExist
from django.test import Client, RequestFactory, TestCase, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from tests.databases import postgres_only
from tests.shared_data import built_once

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
OK = {200, 302, 400, 404}

# Values as they appear in a query string, already percent-encoded: some are bytes no decoder reads.
JUNK = [
    "%00",
    "a%00b",
    "%FF%FE",
    "%C0%AF",
    "%ED%A0%80",
    quote("x" * 100_000),
    "9" * 40,
    "-" + "9" * 40,
    "-1",
    "0",
    "9999",
    "%5B%5D",
    quote("\u202eevil\u202d"),
    "maybe",
    "",
    "%25",
    "_",
    quote("'\"<>"),
    "2024-13-45",
    "1e400",
    "True",
]
JUNK_NAMES = [
    "junk",
    "%00",
    "a%00b",
    "%FF",
    quote("\u202ejunk"),
    "pk",
    "password",
    "e",
    "_to_field",
    "_popup",
    "all",
    "o",
    "p",
    "q",
]


def url_name(model, view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def everything():
    """Every row of every registered model and of its history: what a GET must never change."""
    rows = {}
    for model, _ in ADMINS:
        rows[model._meta.label] = list(model._default_manager.order_by("pk").values())
        history = getattr(model, "history", None)
        if history is not None:
            rows[f"{model._meta.label} history"] = history.count()
    return rows


def build_one_of_each():
    """At least one object of each registered model, made the way the app makes them; returns the
    people the tests act as."""

    from accounts import roles
    from accounts.models import Department
    from glossary.models import Term
    from glossary.services.proposals import proposal_comment, proposal_create
    from glossary.services.review import term_confirm_review
    from glossary.services.terms import tags_from_names, term_create
    from glossary.services.watching import send_approver_reminders, watch_set
    from tests.workflow_helpers import approve, new_term_entry, person
    from webhooks.services import webhook_endpoint_register, webhook_test_send

    it, marketing = Department.objects.get(slug="it"), Department.objects.get(slug="marketing")

    ada = person("ada", department=it, first_name="Ada", last_name="Lindqvist", email="ada@example.com")
    ivan = person(
        "ivan", department=it, role=roles.APPROVER, first_name="Ivan", last_name="Okafor", email="ivan@example.com"
    )
    maya = person("maya", department=marketing, first_name="Maya", last_name="Brennan", email="maya@example.com")
    admin_user = person("root", role=roles.GLOSSARY_ADMIN, is_staff=True, is_superuser=True)
    client = Client()

    term = term_create(
        name="Platform",
        user=ada,
        reason="Test term",
        fields={"status": Term.Status.APPROVED},
        definitions={it: "Tools to build on.", marketing: "A complete system."},
        tags=tags_from_names(["Architecture"], user=ada),
    )
    # Maya watches the glossary, so the proposal is a notice for her digest.
    watch_set(user=maya, delivery="daily")
    proposal = proposal_create(author=ada, reason="New", entry=new_term_entry(it, marketing, name="Pilot"))
    approve(proposal, ivan)
    # Four days on, Marketing's approvers are reminded that it waits for them.
    send_approver_reminders(now=timezone.now() + datetime.timedelta(days=4))
    proposal_comment(proposal=proposal, user=maya, body="Looks right.")
    # An approver confirms the term still accurate on its review date.
    term_confirm_review(term=term, user=ivan, today=term.review_by)
    # A PDF of more terms than the inline limit is left to the task worker: a task result.
    client.force_login(ada)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.get(reverse("glossary:glossary_pdf"))
    client.logout()
    # django-axes keeps failed logins (attempts and, when enabled, a failure log) and logins.
    client.post(reverse("login"), {"username": "maya", "password": "wrong"})
    # Departments come with the database; one added in the admin has a version, too.
    client.force_login(admin_user)
    added = client.post(
        reverse("admin:accounts_department_add"),
        {
            "name": "Legal",
            "slug": "legal",
            "description": "",
            "position": "3",
            "change_reason": "New department",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    client.logout()
    # A webhook endpoint, and its test event as one delivery.
    endpoint, _ = webhook_endpoint_register(
        user=admin_user, url="http://127.0.0.1:9/hook", events_wanted=["term.published"], endpoint_format="standard"
    )
    webhook_test_send(endpoint=endpoint)
    empty = [model._meta.label for model, _ in ADMINS if not model._default_manager.exists()]
    assert not empty, f"make one of each of these first: {empty}"
    return SimpleNamespace(term=term, ada=ada, admin_user=admin_user)


# What one_of_each changes for as long as it lives, as the settings fixture did when each test built its own.
ONE_OF_EACH_SETTINGS = {
    "GLOSSARY_PDF_INLINE_LIMIT": 0,
    "AXES_ENABLE_ACCESS_FAILURE_LOG": True,
    "GLOSSARY_WEBHOOKS_ALLOW_HTTP": True,
}


@pytest.fixture(scope="class")
def one_of_each(django_db_setup, django_db_blocker):
    """build_one_of_each(), once for all the tests of a class, which only read it."""
    with built_once(django_db_blocker, **ONE_OF_EACH_SETTINGS):
        with django_db_blocker.unblock():
            data = build_one_of_each()
        yield data


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


def links(page: str, base: str) -> list[str]:
    """The admin addresses a page links to, resolved as a browser would."""
    targets = {urljoin(base, href) for href in re.findall(r'href="([^"#?]+)', page)}
    return sorted(t for t in targets if t.startswith("/admin/") and not t.startswith("/admin/logout/"))


def object_pages(model, obj) -> list[str]:
    pk = quote(str(obj.pk))
    return [reverse(url_name(model, "change"), args=[pk]), reverse(url_name(model, "history"), args=[pk])]


def version_page(model, obj) -> str | None:
    """The page of the object's newest historical version, if it has an admin and a version."""
    try:
        version = obj.history.latest("history_date").history_id
        return reverse(url_name(model, "simple_history"), args=[quote(str(obj.pk)), version])
    except (AttributeError, NoReverseMatch, ObjectDoesNotExist):
        return None


NONSENSE_IDS = ["0", "-1", "9" * 40, "password", "abc", "1.5", "%00", "a%00b", "%FF", quote("\u202e1"), "x" * 300]


class TestOnOneOfEach:
    """The tests that only read one_of_each: it is built once for all of them."""

    @pytest.fixture
    def superuser_client(self, db, client, one_of_each):
        client.force_login(one_of_each.admin_user)
        # A server error becomes a 500 to list, not an exception that hides the other cases.
        client.raise_request_exception = False
        return client

    @pytest.fixture(scope="class")
    def visited_links(self, one_of_each):
        """The admin pages already linked to and asked: one_of_each does not change (every test
        checks that), so a page another object's page links to answers the same again; the sidebar
        alone links every changelist from every page."""
        return set()

    @pytest.fixture
    def admin_user(self, one_of_each):
        return one_of_each.admin_user

    @pytest.fixture
    def ada(self, one_of_each):
        return one_of_each.ada

    @pytest.mark.slow
    @pytest.mark.parametrize("model, model_admin", ADMINS, ids=[model._meta.label for model, _ in ADMINS])
    def test_every_changelist_answers_junk_parameters_without_a_server_error(
        self, superuser_client, admin_user, model, model_admin
    ):
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

    def test_a_nul_in_a_filter_or_search_is_refused_with_a_clear_message(self, superuser_client):
        for url in [
            "/admin/glossary/proposal/?state__exact=%00",
            "/admin/auth/group/?q=%00",
            "/admin/glossary/term/?q=a%00b",
            "/admin/axes/accesslog/?path_info=%00",
            "/admin/glossary/term/?%00=1",
        ]:
            response = superuser_client.get(url)
            assert response.status_code == 400, url
            assert "holds a NUL character (%00)" in response.content.decode()

    def test_a_date_hierarchy_year_past_9998_is_refused_with_a_clear_message(self, superuser_client):
        for year in ["9999", "9" * 40, "0"]:
            response = superuser_client.get(f"/admin/axes/accesslog/?attempt_time__year={year}")
            assert response.status_code == 400
            assert "“attempt_time__year” must be a number from 1 to 9998" in response.content.decode()
        assert (
            superuser_client.get("/admin/axes/accesslog/?attempt_time__year=9998&attempt_time__month=12").status_code
            == 200
        )
        # Not a number: the admin's own "invalid filter" page, as before.
        assert superuser_client.get("/admin/axes/accesslog/?attempt_time__year=abc").status_code == 302

    def test_a_filter_number_beyond_64_bits_is_refused_but_a_search_for_digits_is_not(self, superuser_client):
        huge = "9" * 40
        for url in [
            f"/admin/accounts/user/?department__exact={huge}",
            f"/admin/glossary/proposal/?p=-{huge}",
            f"/admin/django_tasks_database/dbtaskresult/?priority__in=1,{huge}",
        ]:
            response = superuser_client.get(url)
            assert response.status_code == 400, url
            assert "holds a number larger than any database holds" in response.content.decode()
        assert superuser_client.get(f"/admin/accounts/user/?department__exact={2**63 - 1}").status_code == 200
        assert superuser_client.get(f"/admin/glossary/term/?q={huge}").status_code == 200

    def test_a_search_of_more_than_ten_thousand_characters_is_refused_with_a_clear_message(self, superuser_client):
        response = superuser_client.get("/admin/glossary/term/", {"q": "x" * 10_001})
        assert response.status_code == 400
        assert "“q” is longer than 10,000 characters" in response.content.decode()
        assert superuser_client.get("/admin/glossary/term/", {"q": "x" * 10_000}).status_code == 200

    @pytest.mark.slow
    @pytest.mark.parametrize("model, model_admin", ADMINS, ids=[model._meta.label for model, _ in ADMINS])
    def test_every_object_page_and_its_links_answer_without_a_server_error(
        self, superuser_client, visited_links, model, model_admin
    ):
        before = everything()
        found, versions = [], 0
        objects = list(model._default_manager.all()[:2])
        if isinstance(model_admin, SimpleHistoryAdmin):
            objects += list(model._default_manager.filter(pk__in=model.history.values(model._meta.pk.attname))[:1])
        for obj in objects:
            pages = object_pages(model, obj)
            version = version_page(model, obj)
            if version:
                pages.append(version)
                versions += 1
            for page in pages:
                response = superuser_client.get(page)
                assert response.status_code == 200, page
                unvisited = [link for link in links(response.content.decode(), page) if link not in visited_links]
                visited_links.update(unvisited)
                found += failures(superuser_client, unvisited)
        assert not found, "\n".join(found)
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert versions, "made the app's way, an object has versions to show"
        assert everything() == before

    @pytest.mark.parametrize("model, model_admin", ADMINS, ids=[model._meta.label for model, _ in ADMINS])
    def test_nonsense_object_and_version_ids_answer_without_a_server_error(self, superuser_client, model, model_admin):
        before = everything()
        obj = model._default_manager.first()
        changelist = reverse(url_name(model, "changelist"))
        urls = []
        for bad in NONSENSE_IDS:
            urls += [f"{changelist}{bad}/change/", f"{changelist}{bad}/history/", f"{changelist}{bad}/delete/"]
            if isinstance(model_admin, SimpleHistoryAdmin):
                urls += [f"{changelist}{quote(str(obj.pk))}/history/{bad}/", f"{changelist}{bad}/history/1/"]
        found = failures(superuser_client, urls)
        assert not found, "\n".join(found)
        if isinstance(model_admin, SimpleHistoryAdmin):
            version = f"{changelist}{quote(str(obj.pk))}/history/password/"
            assert superuser_client.get(version).status_code == 404
        assert everything() == before

    def test_a_users_old_version_links_to_the_password_page_and_history_password_is_a_404(self, superuser_client, ada):
        version = ada.history.latest("history_date").history_id
        page = superuser_client.get(
            reverse("admin:accounts_user_simple_history", args=[ada.pk, version])
        ).content.decode()
        password_page = reverse("admin:auth_user_password_change", args=[ada.pk])
        assert f'href="{password_page}"' in page
        assert superuser_client.get(password_page).status_code == 200
        assert superuser_client.get(f"/admin/accounts/user/{ada.pk}/history/password/").status_code == 404


# --- The term form sent twice: a stale second tab, a double click. ------------------------------


def stale_term_form(client, term, it, marketing):
    """What the change form, opened before either submission, sends: it offers Marketing a slot."""
    from tests.workflow_helpers import term_form

    page = client.get(reverse("admin:glossary_term_change", args=[term.pk])).content.decode()
    assert 'name="definitions-TOTAL_FORMS" value="2"' in page and f'<option value="{marketing.pk}" selected>' in page
    return term_form(term, it, marketing, **{"definitions-0-text": term.definitions.get(department=it).text})


def test_the_term_form_sent_twice_adds_the_definition_once_and_says_why_the_second_time(
    client, admin_user, make_term, it, marketing
):
    from tests.workflow_helpers import snapshot

    term = make_term("Digital product", it_text="Custom software.")
    client.force_login(admin_user)
    data = stale_term_form(client, term, it, marketing)
    url = reverse("admin:glossary_term_change", args=[term.pk])
    assert client.post(url, data).status_code == 302
    after_first = snapshot(), term.definitions.count(), term.definitions.get(department=marketing).history.count()

    response = client.post(url, data)
    assert response.status_code == 200
    assert (
        "Marketing already has a definition on this term — someone added it meanwhile; reload the page to edit it."
        in response.content.decode()
    )
    assert (
        snapshot(),
        term.definitions.count(),
        term.definitions.get(department=marketing).history.count(),
    ) == after_first
    assert term.history.count() == 2, "one version for the one change"


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_term_form_sent_twice_at_once_adds_the_definition_once_and_never_fails(
    admin_user, make_term, it, marketing, monkeypatch
):
    from glossary.admin import TermAdmin
    from tests.databases import run_together

    term = make_term("Digital product", it_text="Custom software.")
    clients = [Client(raise_request_exception=False), Client(raise_request_exception=False)]
    for client in clients:
        client.force_login(admin_user)
    data = stale_term_form(clients[0], term, it, marketing)
    url = reverse("admin:glossary_term_change", args=[term.pk])
    real_save = TermAdmin.save_model

    def slow_save(self, *args):
        # Between checking the form and writing it: without the term's lock, both submissions
        # would have been checked before either wrote.
        time.sleep(0.3)
        return real_save(self, *args)

    monkeypatch.setattr(TermAdmin, "save_model", slow_save)
    outcomes = run_together(*[lambda client=client: client.post(url, data) for client in clients])
    assert sorted(outcome.status_code for outcome in outcomes) == [200, 302]
    refused = next(outcome for outcome in outcomes if outcome.status_code == 200)
    assert "Marketing already has a definition on this term" in refused.content.decode()
    assert term.definitions.filter(department=marketing).count() == 1
    assert term.history.count() == 2, "one version for the one change"


# Lookups no admin declares but Django's admin accepts on a model's own fields, each with a value
# the database or Python refuses: the page answers 400 with the reason, never 500.
LOOKUPS_BY_FIELD = {
    "text": [
        ("regex", "("),
        ("iregex", "["),
        ("unaccent", "x"),
        ("search", "x"),
        ("trigram_similar", "x"),
        ("contains", "%00x"),
    ],
    "date": [("year__gt", "99999"), ("month", "13"), ("year__in", "1,99999"), ("range", "a,b")],
    "json": [("contains", "{"), ("has_key", "x")],
}


def undeclared_lookups(model) -> list[str]:
    from django.db import models

    kinds = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            kinds.setdefault("text", field.name)
        elif isinstance(field, models.DateTimeField):
            kinds.setdefault("date", field.name)
        elif isinstance(field, models.JSONField):
            kinds.setdefault("json", field.name)
    return [f"{name}__{lookup}={value}" for kind, name in kinds.items() for lookup, value in LOOKUPS_BY_FIELD[kind]]


@pytest.mark.slow
# Requests in autocommit, as in production: inside a test's transaction, PostgreSQL's first refusal
# would abort every later query of the test. Every registered admin in this one test, so that
# one_of_each is built (and the database emptied and restored) once, not once per admin; what fails
# is listed by admin and address.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_undeclared_lookups_the_database_refuses_get_a_400_not_a_server_error(client):
    with override_settings(**ONE_OF_EACH_SETTINGS):
        client.force_login(build_one_of_each().admin_user)
        # A server error becomes a 500 to list, not an exception that hides the other cases.
        client.raise_request_exception = False
        found = []
        for model, _ in ADMINS:
            changelist = reverse(url_name(model, "changelist"))
            before = everything()
            urls = [f"{changelist}?{query}" for query in undeclared_lookups(model)]
            found += [f"{model._meta.label}: {failure}" for failure in failures(client, urls)]
            after = everything()
            changed = sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))
            if changed:
                found.append(f"{model._meta.label}: its GETs changed {changed}")
        assert not found, "\n".join(found)
