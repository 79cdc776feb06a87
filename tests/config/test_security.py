"""Production settings, headers and log-in protection, each checked as a real request or process."""

import os
import re
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from tests.workflow_helpers import log_in_through_the_form

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "glossary.example.com",
}


def manage(*args, env_overrides=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_check_deploy_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be a long random value"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be a long random value"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must list"),
    ],
)
def test_production_mode_refuses_to_start_on_development_defaults(overrides, message):
    result = manage("check", env_overrides={**PRODUCTION, **overrides})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.slow
def test_the_app_starts_in_production_mode_unless_told_otherwise():
    result = manage("check")
    assert result.returncode != 0, "with no DJANGO_* variables the app must refuse to start"
    assert "Production mode" in result.stderr and "DJANGO_SECRET_KEY must be" in result.stderr
    assert "DJANGO_DEBUG=1" in result.stderr, "the message says how to get development mode"

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env_overrides={"DJANGO_DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


@pytest.mark.slow
def test_production_mode_turns_on_secure_cookies_hsts_and_ssl_redirect():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.X_FRAME_OPTIONS, s.DEBUG)"
    )
    result = manage("shell", "--no-imports", "-c", code, env_overrides=PRODUCTION)
    assert result.stdout.split() == ["True", "True", "True", "Lax", "True", "True", "DENY", "False"]
    result = manage("shell", "--no-imports", "-c", code, env_overrides={**PRODUCTION, "DJANGO_SSL_REDIRECT": "0"})
    assert result.stdout.split()[4] == "False"


def test_pages_send_security_headers(reader_client):
    response = reader_client.get(reverse("glossary:term_list"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_page_carries_inline_script(reader_client, admin_user, make_term, ada, it, marketing):
    from glossary.services.proposals import proposal_create
    from tests.workflow_helpers import new_term_entry

    term = make_term("API", it_text="A contract.")
    proposal = proposal_create(author=ada, reason="New", entry=new_term_entry(it, marketing))
    pages = [
        reverse("glossary:term_list"),
        term.get_absolute_url(),
        reverse("glossary:term_history", args=[term.slug]),
        proposal.get_absolute_url(),
        reverse("glossary:term_propose_new"),
        reverse("glossary:sign_off_queue"),
    ]
    for url in pages:
        html = reader_client.get(url).content.decode()
        # Scripts come from files; a JSON-LD block (data, never run) is the one inline element.
        assert not re.search(r'<script(?![^>]*\bsrc=)(?! type="application/ld\+json">)[^>]*>', html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
    reader_client.force_login(admin_user)
    for url in [reverse("glossary:glossary_import"), reverse("admin:glossary_term_change", args=[term.pk])]:
        html = reader_client.get(url).content.decode()
        # Scripts come from files; a JSON-LD block (data, never run) is the one inline element.
        assert not re.search(r'<script(?![^>]*\bsrc=)(?! type="application/ld\+json">)[^>]*>', html), url


@pytest.mark.slow
def test_repeated_failed_log_ins_lock_the_account_for_a_while(client, ada, make_user, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=2)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in_through_the_form(client, "ada", "wrong").status_code == 200
    assert log_in_through_the_form(client, "ada", "wrong").status_code == 429
    locked = log_in_through_the_form(client, "ada", "pw-for-tests-only")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    make_user("maya")
    assert log_in_through_the_form(client, "maya", "pw-for-tests-only").status_code == 302, (
        "other accounts are not locked"
    )
    client.post(reverse("logout"))
    time.sleep(2.1)
    assert log_in_through_the_form(client, "ada", "pw-for-tests-only").status_code == 302, (
        "the lock lifts after the cool-off"
    )


def login_from(client, username, password, **meta):
    """A log-in POST as a given client: REMOTE_ADDR and X-Forwarded-For go in as request.META."""
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


@pytest.mark.parametrize(
    "trusted, remote, forwarded, expected",
    [
        ("", "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy: the header is the client's word
        ("1", "10.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the forged left part is skipped
        ("2", "10.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        ("2", "10.0.0.1", "203.0.113.9", "10.0.0.1"),  # shorter than the proxies: the one that called us
        ("1", "10.0.0.1", "not-an-address", "10.0.0.1"),
        ("10.0.0.0/8,127.0.0.1", "10.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        ("10.0.0.0/8", "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not called by a trusted proxy
        ("10.0.0.0/8", "10.0.0.1", "198.51.100.1, junk", "10.0.0.1"),  # a broken hop stops the walk
        ("10.0.0.0/8, bogus, 300.1.1.1", "10.0.0.1", "2001:DB8::1", "2001:db8::1"),  # bad entries ignored
        ("bogus", "10.0.0.1", "198.51.100.1", "10.0.0.1"),
    ],
)
def test_client_address_believes_only_what_trusted_proxies_wrote(rf, settings, trusted, remote, forwarded, expected):
    from common.client_address import client_address

    settings.TRUSTED_PROXIES = trusted
    request = rf.post("/accounts/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_one_address_failing_against_many_usernames_is_locked_out(client, ada, settings):
    limit = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    assert limit == 30 and limit > settings.AXES_FAILURE_LIMIT
    guesser = {"REMOTE_ADDR": "203.0.113.9"}
    for n in range(limit - 1):
        assert login_from(client, f"user{n}", "Summer2026!", **guesser).status_code == 200
    assert login_from(client, f"user{limit}", "Summer2026!", **guesser).status_code == 429
    assert login_from(client, "ada", "pw-for-tests-only", **guesser).status_code == 429, "every username is locked"
    assert "_auth_user_id" not in client.session
    assert login_from(client, "ada", "pw-for-tests-only", REMOTE_ADDR="198.51.100.7").status_code == 302, (
        "another address can still log in"
    )


@pytest.mark.parametrize("trusted", ["1", "10.0.0.0/8,127.0.0.1"])
def test_behind_a_trusted_proxy_clients_do_not_lock_each_other_out(client, ada, settings, trusted):
    settings.TRUSTED_PROXIES = trusted
    via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_from(client, "ada", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy)
    assert (
        login_from(client, "ada", "pw-for-tests-only", HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy).status_code
        == 429
    )
    other = login_from(client, "ada", "pw-for-tests-only", HTTP_X_FORWARDED_FOR="198.51.100.7", **via_proxy)
    assert other.status_code == 302, "a second client behind the same proxy is not the first one"


@pytest.mark.parametrize(
    "trusted, remote, forged",
    [
        ("", "203.0.113.9", "198.51.100.{n}"),  # no proxy trusted: the header is ignored
        ("1", "10.0.0.1", "198.51.100.{n}, 203.0.113.9"),  # behind one proxy: only its entry counts
    ],
)
def test_a_client_cannot_escape_the_lock_out_with_its_own_x_forwarded_for(
    client, ada, settings, trusted, remote, forged
):
    settings.TRUSTED_PROXIES = trusted
    for n in range(settings.AXES_FAILURE_LIMIT):
        login_from(client, "ada", "wrong", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forged.format(n=n))
    retry = login_from(client, "ada", "pw-for-tests-only", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forged.format(n=99))
    assert retry.status_code == 429


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/terms/api/", "/terms/api/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_log_in_redirects_only_within_this_site(client, ada, next_url, expected):
    response = log_in_through_the_form(client, "ada", "pw-for-tests-only", next=next_url)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_sessions_expire(client, ada, settings):
    log_in_through_the_form(client, "ada", "pw-for-tests-only")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_password_validators_refuse_weak_passwords(ada):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["password", "12345678", "ada", "lindqvist1"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user=ada)


def cache_directives(response) -> set[str]:
    return {directive.strip() for directive in response.get("Cache-Control", "").split(",") if directive.strip()}


def test_every_response_to_a_signed_in_user_is_private(client, ada, make_term):
    term = make_term("API", it_text="A contract.")
    signed_in = log_in_through_the_form(client, "ada", "pw-for-tests-only")
    assert signed_in.status_code == 302 and "private" in cache_directives(signed_in)
    pages = [
        reverse("glossary:term_list"),
        term.get_absolute_url(),
        reverse("glossary:term_history", args=[term.slug]),
        reverse("glossary:sign_off_queue"),
        reverse("glossary:term_propose_new"),
        "/no-such-page/",
    ]
    for url in pages:
        directives = cache_directives(client.get(url))
        assert "private" in directives and "public" not in directives, url


@pytest.mark.slow
def test_exports_are_private_and_never_stored(reader_client, make_term):
    from glossary.models import PdfExport, Term

    term = make_term("API", it_text="A contract.", status=Term.Status.APPROVED)
    ready = PdfExport.objects.create(options={}, key="k", state=PdfExport.State.READY, pdf=b"%PDF-1.7 stored")
    downloads = [
        reverse("glossary:glossary_csv"),
        reverse("glossary:glossary_json"),
        reverse("glossary:glossary_pdf"),
        reverse("glossary:term_pdf", args=[term.slug]),
        reverse("glossary:pdf_export_download", args=[ready.pk]),
    ]
    for url in downloads:
        response = reader_client.get(url)
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"], url
        assert cache_directives(response) == {"private", "no-store"}, url


def test_exports_are_never_stored_even_when_the_glossary_is_public(client, make_term, settings):
    settings.GLOSSARY_PUBLIC_READ = True
    make_term("API", it_text="A contract.")
    response = client.get(reverse("glossary:glossary_csv"))
    assert response.status_code == 200
    assert cache_directives(response) == {"private", "no-store"}


def test_a_login_field_error_is_tied_to_its_input_for_screen_readers(client, db):
    page = log_in_through_the_form(client, "x" * 300, "whatever").content.decode()
    describedby = re.search(r'<input[^>]*name="username"[^>]*aria-describedby="([^"]+)"', page).group(1)
    assert f'id="{describedby.split()[0]}"' in page
    assert "at most 150 characters" in page
