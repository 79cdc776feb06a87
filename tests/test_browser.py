"""End to end in a real browser: Debian's headless Chromium driven by Playwright, against a live server.

Outside CI the tests skip, saying why, when no Chromium is installed; under CI=true that is a failure.
"""

import os
import re
import shutil

import pytest

from accounts.demo import DEMO_PASSWORD, create_demo_users

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def chromium_or_skip():
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package is not installed"
    if missing is None and not shutil.which(CHROMIUM):
        missing = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests cannot run in CI: {missing}")
        pytest.skip(f"Browser tests skipped: {missing}")


@pytest.fixture
def as_user(live_server):
    """Log a demo user in, in a browser context of their own; returns their page."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    # Database work happens here, before Playwright starts its event loop in this thread: the
    # ORM refuses to run inside one, and the test bodies only drive the browser.
    create_demo_users()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

        def log_in(username):
            context = browser.new_context(base_url=live_server.url)
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(re.compile(r"/$"))
            return page

        yield log_in
        browser.close()


def open_first_in_queue(page, name):
    page.get_by_role("link", name=re.compile("Needs my sign-off")).click()
    page.get_by_role("link", name=re.compile(name)).click()


def propose_new_term(page, name, reason, **definitions):
    page.get_by_role("link", name="Propose a term").click()
    page.get_by_label("Name").fill(name)
    for department, text in definitions.items():
        page.get_by_label(f"What {department} means").fill(text)
    page.get_by_label("Why this change?").fill(reason)
    page.get_by_role("button", name="Send for sign-off").click()
    page.get_by_text("Your proposal is open for review").wait_for()


def sign_off(page, button, outcome):
    page.get_by_role("button", name=button).click()
    page.get_by_text(outcome).wait_for()


def test_it_proposes_and_both_departments_sign_off_in_the_browser(as_user):
    ada = as_user("ada")
    propose_new_term(
        ada,
        "Landing page",
        "Campaign launches keep tripping over this word.",
        IT="A static page served from the CDN, built from a template.",
        Marketing="The page a campaign sends people to, built to convert.",
    )

    ivan = as_user("ivan")
    open_first_in_queue(ivan, "Landing page")
    sign_off(ivan, "Approve for IT", "Approved for your department.")

    marco = as_user("marco")
    open_first_in_queue(marco, "Landing page")
    sign_off(marco, "Approve for Marketing", "Every department has approved")

    ada.goto("/terms/landing-page/")
    approved = ada.locator(".approved-by").inner_text()
    assert "Approved by Ivan Okafor (IT) on" in approved
    assert "Marco Silva (Marketing) on" in approved
    assert "built to convert" in ada.locator(".definitions").inner_text()


def test_marketing_requests_changes_and_the_author_revises(as_user):
    ada = as_user("ada")
    propose_new_term(ada, "Conversion rate", "Dashboards disagree.", IT="Successful transactions divided by sessions.")

    marco = as_user("marco")
    open_first_in_queue(marco, "Conversion rate")
    marco.get_by_label("Your comment").fill("Add what Marketing counts: sign-ups count too.")
    sign_off(marco, "Request changes for Marketing", "Sent back to the author")

    ada.get_by_role("link", name=re.compile("My proposals")).click()
    ada.get_by_role("link", name=re.compile("Conversion rate")).click()
    assert "changes requested" in ada.locator(".proposal-header").inner_text().lower()
    assert "sign-ups count too" in ada.locator(".thread").inner_text()
    ada.get_by_role("link", name="Edit proposal").click()
    ada.get_by_label("What Marketing means").fill("Visitors who buy or sign up, divided by all visitors.")
    ada.get_by_label("Why this change?").fill("Added Marketing's definition as asked.")
    ada.get_by_role("button", name="Save new revision").click()
    ada.get_by_text("Saved as a new revision").wait_for()
    assert "revision 2" in ada.locator(".proposal-header").inner_text()

    marco.reload()
    sign_off(marco, "Approve for Marketing", "Approved for your department.")
    ivan = as_user("ivan")
    open_first_in_queue(ivan, "Conversion rate")
    sign_off(ivan, "Approve for IT", "Every department has approved")

    ada.goto("/terms/conversion-rate/")
    assert "sign up" in ada.locator(".definitions").inner_text()


def test_a_reviewer_reads_the_change_before_the_decision_form_and_can_open_the_markdown_source(as_user):
    ada = as_user("ada")
    propose_new_term(ada, "Churn", "Reports disagree.", IT="Accounts *closed* in a month.")

    ivan = as_user("ivan")
    open_first_in_queue(ivan, "Churn")
    # What is seen first is what comes first: no part of the page is moved by the stylesheet.
    tops = [ivan.locator(selector).bounding_box()["y"] for selector in (".proposal-header", ".diff", ".thread", ".review")]
    assert tops == sorted(tops)
    rendered = ivan.locator(".diff-rendered").first
    assert rendered.locator("em").inner_text() == "closed" and "*" not in rendered.inner_text()
    source = ivan.locator(".diff-source-text").first
    assert not source.is_visible()
    ivan.locator(".diff-source summary").first.click()
    source.wait_for(state="visible")
    assert source.inner_text() == "Accounts *closed* in a month."
    # Keyboard order: from the comment box, Tab reaches the decisions in the order shown.
    ivan.get_by_label("Your comment").focus()
    ivan.keyboard.press("Tab")
    assert ivan.evaluate("document.activeElement.textContent") == "Approve for IT"
    ivan.get_by_role("button", name="Reject for IT").click()
    ivan.get_by_text("Say why you reject it").wait_for()
    assert ivan.get_by_label("Your comment").get_attribute("aria-invalid") == "true"


@pytest.fixture
def glossary_for_a_background_export(settings):
    """The demo accounts and three approved terms, made before the browser starts; any PDF of
    more than one term goes to the worker."""
    from accounts.models import Department, User
    from glossary.models import Term
    from glossary.services.terms import term_create

    create_demo_users()
    ada = User.objects.get(username="ada")
    it, marketing = Department.objects.get(slug="it"), Department.objects.get(slug="marketing")
    for name in ("API", "Omnichannel", "Roadmap"):
        term_create(
            name=name, user=ada, reason="Test term", fields={"status": Term.Status.APPROVED},
            definitions={it: f"What IT means by {name}.", marketing: f"What Marketing means by {name}."}, tags=[],
        )
    settings.GLOSSARY_PDF_INLINE_LIMIT = 1


def run_the_worker_on_the_export():
    """The worker's part, in a thread of its own (the ORM does not run in Playwright's): the task,
    called as the worker calls it, on the export the page is waiting for."""
    import time

    from django.db import connection

    from glossary.exports.tasks import build_pdf_export
    from glossary.models import PdfExport

    try:
        deadline = time.monotonic() + 15
        while not PdfExport.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        build_pdf_export.call(str(PdfExport.objects.get().pk))
    finally:
        connection.close()


def test_export_page_downloads_the_pdf_by_itself_when_the_worker_is_done(glossary_for_a_background_export, as_user):
    import threading

    from django.utils import timezone

    ada = as_user("ada")
    ada.get_by_role("button", name="Export PDF").click()
    ada.wait_for_url(re.compile(r"/export/[0-9a-f-]+/$"))
    status = ada.get_by_role("status")
    assert status.inner_text() == "Waiting for the worker: yours is next in the queue"
    link = ada.get_by_role("link", name="Download the PDF")
    assert not link.is_visible()

    worker = threading.Thread(target=run_the_worker_on_the_export)
    with ada.expect_download() as download:
        worker.start()
    worker.join()
    assert download.value.suggested_filename == f"common-ground-glossary-{timezone.localdate().isoformat()}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # The link stays, for a browser that blocked the download; no second click was needed.
    assert link.is_visible()
    assert ada.get_by_role("heading", name="Your PDF is ready").is_visible()
