"""End to end in a real browser: Debian's headless Chromium driven by Playwright, against a live server.

Outside CI the tests skip, saying why, when no Chromium is installed; under CI=true that is a failure.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.demo import create_demo_users
from accounts.models import Department, User
from accounts.services import api_token_create
from glossary.demo import load_demo_glossary
from glossary.models import PdfExport, Proposal, Term
from glossary.services.terms import term_create
from tests.chromium import chromium, logged_in_page

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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
    tops = [
        ivan.locator(selector).bounding_box()["y"] for selector in (".proposal-header", ".diff", ".thread", ".review")
    ]
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
            name=name,
            user=ada,
            reason="Test term",
            fields={"status": Term.Status.APPROVED},
            definitions={it: f"What IT means by {name}.", marketing: f"What Marketing means by {name}."},
            tags=[],
        )
    settings.GLOSSARY_PDF_INLINE_LIMIT = 1


def run_the_worker_on_the_export():
    """The worker's part, in a thread of its own (the ORM does not run in Playwright's): the task,
    called as the worker calls it, on the export the page is waiting for."""
    import time

    from django.db import connection

    from glossary.interchange.tasks import build_pdf_export
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


# Every main page, at a phone's width and a desktop's: nothing scrolls sideways, nothing is cut
# off, and axe-core (bundled by the axe-playwright-python package) finds no violation.

PHONE = {"width": 360, "height": 740}
LARGE_PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@dataclass
class DemoSite:
    """The demo glossary in a browser: `pages` names each main page, who sees it and where it is."""

    pages: list[tuple[str, str | None, str]]
    browser: object
    base_url: str

    def at(self, viewport):
        """A function that opens a path as a user (None: logged out) at this viewport."""
        pages = {}

        def visit(username, path):
            if username not in pages:
                pages[username] = logged_in_page(self.browser, self.base_url, username, viewport)
            page = pages[username]
            page.goto(path)
            return page

        return visit

    def each_page(self, viewport):
        visit = self.at(viewport)
        for name, username, path in self.pages:
            yield name, visit(username, path)


@pytest.fixture
def demo_site(live_server):
    """The demo glossary loaded and a PDF export under way; pages open logged in, at any viewport."""
    create_demo_users()
    load_demo_glossary()
    ivan = User.objects.get(username="ivan")
    term = Term.objects.get(name="Web 2.0")
    proposal = Proposal.objects.filter(name="Agile", state=Proposal.State.IN_REVIEW).get()
    export = PdfExport.objects.create(
        options={},
        key="browser-test",
        requested_by=ivan,
        state=PdfExport.State.RUNNING,
        progress=40,
        message="Laying out the terms",
    )
    it, marketing = Department.objects.get(slug="it"), Department.objects.get(slug="marketing")
    address = "https://intranet.example.com/" + "/".join(["architecture-decision-records"] * 6)
    long_words = term_create(
        name="Pneumonoultramicroscopicsilicovolcanoconiosis",
        user=User.objects.get(username="ada"),
        reason=f"Written down in {address}",
        fields={"synonyms": "Supercalifragilisticexpialidocious" * 3},
        definitions={it: f"See <{address}> and {address}.", marketing: "Hippopotomonstrosesquippedaliophobia" * 4},
    )
    api_token_create(user=User.objects.get(username="ada"), name="Intranet sync " * 5, read_only=True)
    endpoint = _failing_webhook(User.objects.get(username="admin"), address)
    pages = [
        ("home", "ivan", "/"),
        ("term with long words", "ivan", long_words.get_absolute_url()),
        ("history with long words", "ivan", reverse("glossary:term_history", args=[long_words.slug])),
        ("list with long words", "ivan", "/?letter=P"),
        ("term", "ivan", term.get_absolute_url()),
        ("term history", "ivan", reverse("glossary:term_history", args=[term.slug])),
        ("department", "ivan", reverse("glossary:department_detail", args=["it"])),
        ("proposal", "ivan", proposal.get_absolute_url()),
        ("needs my sign-off", "ivan", reverse("glossary:sign_off_queue")),
        ("my proposals (none)", "ivan", reverse("glossary:my_proposals")),
        ("my proposals", "ada", reverse("glossary:my_proposals")),
        ("search results", "ivan", "/?q=omni+channel"),
        ("search for one long word", "ivan", "/?q=" + "Donaudampfschifffahrt" * 9),
        ("propose a term", "ivan", reverse("glossary:term_propose_new")),
        (
            "propose a change",
            "ivan",
            reverse("glossary:term_propose_change", args=[Term.objects.get(name="Firewall").slug]),
        ),
        (
            "propose deprecating",
            "ivan",
            reverse("glossary:term_propose_deprecation", args=[Term.objects.get(name="Pilot").slug]),
        ),
        ("PDF export", "ivan", export.get_absolute_url()),
        ("import (glossary admins only)", "admin", reverse("glossary:glossary_import")),
        ("my API tokens (none)", "ivan", reverse("api_tokens")),
        ("my API tokens", "ada", reverse("api_tokens")),
        ("webhooks", "admin", reverse("webhooks:list")),
        ("add a webhook", "admin", reverse("webhooks:add")),
        ("webhook with deliveries", "admin", endpoint.get_absolute_url()),
        ("delete a webhook", "admin", reverse("webhooks:delete", args=[endpoint.pk])),
        ("dashboard", "ivan", reverse("glossary:dashboard")),
        ("dashboard for a tag", "ada", reverse("glossary:dashboard") + "?tag=architecture"),
        ("log-in", None, reverse("login")),
        ("not found", "ivan", "/terms/no-such-term/"),
        ("forbidden", "ivan", reverse("glossary:glossary_import")),
    ]
    with chromium() as browser:
        yield DemoSite(pages, browser, live_server.url)


def _failing_webhook(admin, address):
    """An endpoint with a long address and a test event that failed once, as its page shows it."""
    from datetime import timedelta

    from django.utils import timezone

    from webhooks.models import WebhookAttempt, WebhookDelivery
    from webhooks.payloads import SUBSCRIBABLE
    from webhooks.services import webhook_endpoint_register, webhook_test_send

    endpoint, _ = webhook_endpoint_register(
        user=admin, url=address, events_wanted=list(SUBSCRIBABLE), endpoint_format="teams"
    )
    delivery = webhook_test_send(endpoint=endpoint)
    now = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=now,
        status_code=502,
        error="The receiver answered 502.",
        response_bytes=65536,
        response_truncated=True,
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempt_count=1, last_status_code=502, first_attempt_at=now, next_attempt_at=now + timedelta(seconds=30)
    )
    return endpoint


SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"

# Inputs whose placeholder, and selects whose chosen option, is wider than the room inside them.
CUT_OFF_TEXT = """() => {
  const measure = document.createElement("canvas").getContext("2d");
  const textWidth = (element, text) => { measure.font = getComputedStyle(element).font; return measure.measureText(text).width; };
  const room = (element) => {
    const style = getComputedStyle(element);
    return element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const visible = (element) => element.getClientRects().length > 0;
  const cut = [];
  for (const input of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    if (visible(input) && textWidth(input, input.placeholder) > room(input)) cut.push(`${input.name}: ${input.placeholder}`);
  }
  for (const select of document.querySelectorAll("select:not([multiple])")) {
    const text = select.selectedOptions.length ? select.selectedOptions[0].text : "";
    // Chromium draws the drop-down arrow inside the padding box: about 20 px.
    if (visible(select) && textWidth(select, text) > room(select) - 20) cut.push(`${select.name}: ${text}`);
  }
  return cut;
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_no_main_page_scrolls_sideways_cuts_text_off_or_has_an_axe_violation(demo_site, viewport):
    """Each main page opened once at each width, every check on it: nothing scrolls sideways, on a
    desktop no placeholder or chosen option is cut off, and axe-core finds no violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    wider, cut, reports = {}, {}, {}
    for name, page in demo_site.each_page(viewport):
        wider[name] = page.evaluate(SIDEWAYS)
        if viewport == DESKTOP:
            cut[name] = page.evaluate(CUT_OFF_TEXT)
        results = axe.run(page)
        if results.violations_count:
            reports[name] = results.generate_report()
    problems = {
        "scrolls sideways by (px)": {name: extra for name, extra in wider.items() if extra > 0},
        "placeholder or chosen option cut off": {name: texts for name, texts in cut.items() if texts},
    }
    found = [f"{check}: {pages}" for check, pages in problems.items() if pages]
    found += [f"== axe: {name} ==\n{report}" for name, report in reports.items()]
    assert not found, "\n\n".join(found)
    if viewport == DESKTOP:
        home = demo_site.at(DESKTOP)("ivan", "/")
        assert home.get_by_label("Status").is_visible(), "filters are open on a wide screen"


@pytest.mark.parametrize("viewport", [PHONE, LARGE_PHONE], ids=["360x740", "390x844"])
def test_the_first_term_is_on_a_phones_first_screen(demo_site, viewport):
    home = demo_site.at(viewport)("ivan", "/")
    top = home.locator(".term-card").first.bounding_box()["y"]
    assert top + 40 <= viewport["height"], f"the first term starts {top:.0f} px down"
    assert home.get_by_role("searchbox", name="Search").is_visible()
    assert not home.get_by_label("Status").is_visible(), "filters fold away on a phone"
    home.get_by_text("Filters", exact=True).click()
    assert home.get_by_label("Status").is_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_dashboard_charts_are_drawn_under_the_content_security_policy(demo_site, viewport):
    page = demo_site.at(viewport)("ivan", reverse("glossary:dashboard"))
    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length === 3")
    for figure in page.locator("figure.chart").all():
        assert "chart-drawn" in figure.get_attribute("class")
        box = figure.locator("canvas").bounding_box()
        assert 0 < box["width"] <= viewport["width"] and box["height"] > 100
    assert page.get_by_role("img", name=re.compile("Chart: Agreement month by month")).is_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_an_import_report_fits_the_screen_and_passes_axe(demo_site, viewport):
    from axe_playwright_python.sync_playwright import Axe

    rows = (
        "name,definition:it\nLatency,Delay in milliseconds.\nEdge computing,Servers close to the people using them.\n"
    )
    page = demo_site.at(viewport)("admin", reverse("glossary:glossary_import"))
    page.get_by_label("Glossary file").set_input_files(
        files=[{"name": "terms.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.get_by_role("button", name="Upload").click()
    assert page.locator(".import-report td[data-label=Term]").all_inner_texts() == ["Latency", "Edge computing"]
    assert page.evaluate(SIDEWAYS) <= 0
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # A vocabulary published elsewhere, refused: its problems grouped, what it says beyond the glossary listed.
    published = ROOT / "fixtures" / "vocabularies" / "dpv" / "consent_types.ttl"
    page.get_by_label("Glossary file").set_input_files(
        files=[{"name": published.name, "mimeType": "text/turtle", "buffer": published.read_bytes()}]
    )
    page.get_by_role("button", name="Upload").click()
    assert page.locator(".unkept code", has_text="skos:broader").is_visible()
    assert page.evaluate(SIDEWAYS) <= 0
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
