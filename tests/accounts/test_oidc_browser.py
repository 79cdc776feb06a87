"""Log-in through the real test identity provider in a real browser (Debian's Chromium): the
button, the provider's own page, back to the glossary signed in with the directory's department
and role; the directory changes and the next log-in follows; log-out ends the provider's session."""

import re

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_FLAGS, chromium_or_skip
from tests.oidc_support import PASSWORD, oidc_settings, provider_start

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MAYA = {"sub": "c3d4-maya", "email": "maya@corp.example", "name": "Maya Brennan", "preferred_username": "maya"}


@pytest.fixture
def browser_idp(live_server, settings, tmp_path):
    chromium_or_skip()
    provider = provider_start(tmp_path, [f"{live_server.url}/oidc/callback/"], [f"{live_server.url}/"])
    oidc_settings(settings, provider.issuer)
    yield provider
    provider.stop()


def sign_in_at_provider(page, login):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Log in with Test IdP").click()
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/$"))


def log_out_everywhere(page, issuer):
    """Log out of the glossary; the provider's end-session page asks to confirm, then sends us back."""
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(re.escape(issuer) + r"/session/end"))
    page.get_by_role("button").first.click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/"))


def test_login_through_the_provider_in_the_browser_follows_the_directory(browser_idp, live_server):
    from playwright.sync_api import expect, sync_playwright

    browser_idp.set_users({"maya": {**MAYA, "groups": ["glossary-marketing"]}})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()

        sign_in_at_provider(page, "maya")
        expect(page.locator(".nav-user")).to_have_text("Maya Brennan · Marketing")
        expect(page.get_by_role("link", name="Propose a term")).to_be_visible()

        # Log-out ends the provider's session too, so the next log-in asks for the password again.
        log_out_everywhere(page, browser_idp.issuer)

        # The directory moves her to IT's approvers: from her next log-in she is in IT.
        browser_idp.set_users({"maya": {**MAYA, "groups": ["glossary-it-approvers"]}})
        sign_in_at_provider(page, "maya")
        expect(page.locator(".nav-user")).to_have_text("Maya Brennan · IT")
        log_out_everywhere(page, browser_idp.issuer)

        # Taken out of every glossary group: a reader of no department, who cannot propose.
        browser_idp.set_users({"maya": {**MAYA, "groups": ["staff-canteen"]}})
        sign_in_at_provider(page, "maya")
        expect(page.locator(".nav-user")).to_have_text("Maya Brennan")
        expect(page.get_by_role("link", name="Propose a term")).to_have_count(0)
        browser.close()
