"""Atom feeds of published changes: the whole glossary, one tag, one term; private ones by feed token.

Read with feedparser, as a feed reader reads them: valid (not `bozo`), with permanent ids and
absolute links, and user text shown as the text it is.
"""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from django.test import Client
from django.urls import URLPattern, reverse

import glossary.urls
from accounts.models import FeedToken
from accounts.services import feed_token_create, feed_token_revoke
from glossary.models import Proposal, Term
from glossary.rendering import first_line
from glossary.services import proposals as services
from tests.workflow_helpers import approve, login, new_term_entry

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def publish(ada, ivan, marco, entry, term=None, reason="Settle the word"):
    proposal = services.proposal_create(author=ada, reason=reason, entry=entry, term=term)
    approve(proposal, ivan)
    approve(proposal, marco)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.PUBLISHED
    return Term.objects.get(pk=proposal.term_id)


@pytest.fixture
def published(ada, ivan, marco, it, marketing):
    """Omnichannel published, then changed once; Lead published, tagged Sales."""
    omnichannel = publish(ada, ivan, marco, new_term_entry(it, marketing, tags=("Channels",)))
    publish(
        ada,
        ivan,
        marco,
        new_term_entry(it, marketing, it_text="Integrated systems, **real-time** data.", tags=("Channels",)),
        term=omnichannel,
        reason="IT means real time",
    )
    publish(
        ada,
        ivan,
        marco,
        new_term_entry(
            it,
            marketing,
            name="Lead",
            it_text="A row in the CRM.",
            marketing_text="Someone who might buy.",
            tags=("Sales",),
        ),
    )
    return omnichannel


def entries(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_the_site_feed_has_one_entry_per_publish_newest_first(published, reader_client):
    found = entries(reader_client.get(reverse("glossary:feed_changes")))
    assert [e["title"] for e in found] == ["Lead: new term", "Omnichannel: What IT means", "Omnichannel: new term"]
    change = found[1]
    assert "/terms/omnichannel/history/?to=" in change["link"] and "from=" in change["link"]
    assert "IT means real time" in change["summary"]
    assert "IT: Integrated systems, real-time data." in change["summary"]
    assert "Marketing: One experience." in change["summary"]
    record = Term.history.filter(id=published.pk).order_by("-history_date").first()
    assert change["updated"].startswith(record.history_date.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_tags_feed_and_a_terms_feed_hold_only_their_changes(published, reader_client):
    tag = published.tags.get()
    assert [e["title"] for e in entries(reader_client.get(reverse("glossary:feed_tag_changes", args=[tag.slug])))] == [
        "Omnichannel: What IT means",
        "Omnichannel: new term",
    ]
    lead = entries(reader_client.get(reverse("glossary:feed_term_changes", args=["lead"])))
    assert [e["title"] for e in lead] == ["Lead: new term"]
    assert reader_client.get(reverse("glossary:feed_term_changes", args=["no-such-term"])).status_code == 404


def test_an_admin_edit_is_not_a_published_change(published, reader_client, make_term):
    make_term("Platform", it_text="Tools to build on.")
    titles = [e["title"] for e in entries(reader_client.get(reverse("glossary:feed_changes")))]
    assert not any(title.startswith("Platform") for title in titles)


def test_an_empty_glossary_has_a_valid_empty_feed(reader_client):
    assert entries(reader_client.get(reverse("glossary:feed_changes"))) == []


def test_pages_link_their_feeds_in_the_head(published, reader_client):
    home = reader_client.get(reverse("glossary:term_list")).content.decode()
    assert f'type="application/atom+xml" title="Published changes" href="{reverse("glossary:feed_changes")}"' in home
    term = reader_client.get(published.get_absolute_url()).content.decode()
    assert f'href="{reverse("glossary:feed_term_changes", args=["omnichannel"])}"' in term
    tag = published.tags.get()
    tagged = reader_client.get(reverse("glossary:term_list"), {"tag": tag.slug}).content.decode()
    assert f'href="{reverse("glossary:feed_tag_changes", args=[tag.slug])}"' in tagged


# A private glossary (the default): a feed reader cannot log in, so it brings a feed token.


def test_a_private_feed_is_refused_without_a_login_or_token(published):
    assert Client().get(reverse("glossary:feed_changes")).status_code == 403


def test_a_feed_token_opens_the_feeds_until_it_is_revoked(published, ada):
    token, secret = feed_token_create(user=ada)
    assert FeedToken.objects.get().digest != secret and secret not in token.hint
    reader = Client()
    assert len(entries(reader.get(reverse("glossary:feed_changes"), {"token": secret}))) == 3
    assert reader.get(reverse("glossary:feed_term_changes", args=["lead"]), {"token": secret}).status_code == 200
    feed_token_revoke(user=ada, token_id=token.pk)
    assert reader.get(reverse("glossary:feed_changes"), {"token": secret}).status_code == 404
    assert reader.get(reverse("glossary:feed_changes"), {"token": "cgf_made-up"}).status_code == 404


def test_a_new_feed_token_replaces_the_old_one(ada):
    _, first = feed_token_create(user=ada)
    _, second = feed_token_create(user=ada)
    reader = Client()
    assert reader.get(reverse("glossary:feed_changes"), {"token": first}).status_code == 404
    assert reader.get(reverse("glossary:feed_changes"), {"token": second}).status_code == 200


def test_an_api_token_is_not_a_feed_token(ada):
    from accounts.services import api_token_create

    _, secret = api_token_create(user=ada, name="Script")
    assert Client().get(reverse("glossary:feed_changes"), {"token": secret}).status_code == 404


def test_the_tokens_page_makes_shows_once_and_revokes_a_feed_token(client, ada):
    login(client, ada)
    made = client.post(reverse("feed_token_create"))
    assert made.status_code == 201
    feed_url = made.context["feed_url"]
    assert "?token=cgf_" in feed_url and feed_url in made.content.decode()
    secret = feed_url.split("token=")[1]
    assert Client().get(reverse("glossary:feed_changes"), {"token": secret}).status_code == 200
    page = client.get(reverse("api_tokens")).content.decode()
    assert secret not in page and "Revoke feed token" in page
    token = FeedToken.objects.get(revoked_at__isnull=True)
    assert client.post(reverse("feed_token_revoke", args=[token.pk])).status_code == 302
    assert Client().get(reverse("glossary:feed_changes"), {"token": secret}).status_code == 404
    assert "You have no feed token" in client.get(reverse("api_tokens")).content.decode()


def test_nobody_revokes_someone_elses_feed_token(client, ada, maya):
    token, secret = feed_token_create(user=ada)
    login(client, maya)
    assert client.post(reverse("feed_token_revoke", args=[token.pk])).status_code == 404
    assert Client().get(reverse("glossary:feed_changes"), {"token": secret}).status_code == 200


def test_a_public_glossary_needs_no_token(published, settings):
    settings.GLOSSARY_PUBLIC_READ = True
    assert len(entries(Client().get(reverse("glossary:feed_changes")))) == 3


# As a feed reader reads them.

SITE = "https://glossary.example.com"
# RFC 4151: tag:<domain or e-mail address>,<date>:<anything>
TAG_URI = re.compile(r"tag:[\w.@-]+,\d{4}(-\d\d){0,2}:\S+", re.ASCII)


def every_feed(term, tag) -> dict[str, str]:
    """Every feed in glossary/urls.py, by name, at the given term's or tag's address where it takes one."""
    addresses = {}
    for pattern in glossary.urls.urlpatterns:
        if isinstance(pattern, URLPattern) and pattern.name.startswith("feed_"):
            name = f"glossary:{pattern.name}"
            slug = tag.slug if "tag" in pattern.name else term.slug
            addresses[name] = reverse(name, args=[slug] if "slug" in pattern.pattern.converters else [])
    return addresses


def read_feed(response):
    assert response.status_code == 200, response.content
    parsed = feedparser.parse(response.content, response_headers={"content-type": response["Content-Type"]})
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


class _Markup(HTMLParser):
    """The elements and the text of an HTML fragment, as a browser would see them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements, self.texts = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(tag)

    def handle_data(self, data):
        self.texts.append(data)

    @property
    def text(self):
        return "".join(self.texts)


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.GLOSSARY_FEED_ID_AUTHORITY = "glossary.example.com,2026-01-01"


def test_every_feed_is_valid_atom_with_permanent_ids_and_absolute_links_for_every_reader(
    published, ada, site, settings
):
    _, secret = feed_token_create(user=ada)
    signed_in = Client()
    signed_in.force_login(ada)
    feeds = every_feed(published, published.tags.get())
    assert set(feeds) == {"glossary:feed_changes", "glossary:feed_tag_changes", "glossary:feed_term_changes"}
    readers = {"signed in": (signed_in, {}), "by feed token": (Client(), {"token": secret})}
    seen_entry_ids = {}
    for name, address in feeds.items():
        for reader, (client, query) in readers.items():
            parsed = read_feed(client.get(address, query))
            assert parsed.entries, (name, reader)
            assert TAG_URI.fullmatch(parsed.feed.id), parsed.feed.id
            links = [link.href for link in parsed.feed.links] + [link.href for e in parsed.entries for link in e.links]
            assert links and all(link.startswith(f"{SITE}/") and secret not in link for link in links), links
            for entry in parsed.entries:
                assert TAG_URI.fullmatch(entry.id), entry.id
                # One version of one term has one id, in whichever feed it appears.
                assert seen_entry_ids.setdefault((entry.link, entry.title), entry.id) == entry.id
    assert len(set(seen_entry_ids.values())) == 3  # the three published versions
    settings.GLOSSARY_PUBLIC_READ = True
    for address in feeds.values():
        read_feed(Client().get(address))


def test_ids_stay_when_the_site_moves_and_links_follow_it(published, reader_client, site, settings):
    before = read_feed(reader_client.get(reverse("glossary:feed_changes")))
    settings.SITE_URL = "https://words.example.org"
    after = read_feed(reader_client.get(reverse("glossary:feed_changes")))
    assert after.feed.id == before.feed.id
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    assert all(e.link.startswith("https://words.example.org/terms/") for e in after.entries)
    assert after.feed.link == "https://words.example.org/"


def test_renaming_a_term_keeps_its_entries_ids(published, ada, ivan, marco, it, marketing, reader_client, site):
    before = read_feed(reader_client.get(reverse("glossary:feed_term_changes", args=["omnichannel"])))
    publish(
        ada,
        ivan,
        marco,
        new_term_entry(it, marketing, name="Omni-channel", tags=("Channels",)),
        term=Term.objects.get(pk=published.pk),
        reason="Hyphenated",
    )
    after = read_feed(reader_client.get(reverse("glossary:feed_term_changes", args=["omnichannel"])))
    assert after.feed.id == before.feed.id
    assert [e.id for e in after.entries[1:]] == [e.id for e in before.entries]
    assert after.entries[0].title.startswith("Omni-channel: Name")


HOSTILE = {
    "markup": "<img src=x onerror=alert(1)> <script>alert(2)</script>",
    "cdata end": "]]> & &amp; <![CDATA[x]]>",
    "right to left": "\u202eمصطلح\u202c עברית \u2067rtl\u2069",
    # (Not U+0085: feedparser, like many readers, takes C1 controls for Windows-1252's characters.)
    "controls XML allows": "tab\tthen\u007f next",
}


def test_hostile_text_comes_out_as_the_same_text_never_as_markup(ada, ivan, marco, it, marketing, reader_client):
    for label, text in HOSTILE.items():
        publish(ada, ivan, marco, new_term_entry(it, marketing, name=f"{label} {text}", it_text=text), reason=text)
    body = reader_client.get(reverse("glossary:feed_changes")).content
    # As a reader shows it (feedparser cleans HTML as readers do) and as the feed says it.
    for parsed in (feedparser.parse(body), feedparser.parse(body, sanitize_html=False)):
        assert not parsed.bozo, parsed.get("bozo_exception")
        by_title = {entry.title: entry for entry in parsed.entries}
        for label, text in HOSTILE.items():
            term = Term.objects.get(name__startswith=label)
            entry = by_title[f"{term.name}: new term"]  # the name as stored, as text
            assert entry.title_detail.type == "text/plain"
            assert entry.summary_detail.type == "text/html"
            summary = _Markup(entry.summary)
            # Only the markup the template makes: every character of user text is text.
            assert set(summary.elements) == {"p", "ul", "li"}, summary.elements
            assert summary.text.startswith("Why: Proposal #") and f": {text}\n" in summary.text
            assert f"IT: {first_line(text)}" in summary.text


def test_control_characters_xml_cannot_hold_become_replacement_marks(ada, ivan, marco, it, marketing, reader_client):
    publish(
        ada,
        ivan,
        marco,
        new_term_entry(it, marketing, name="Bell\x07 term", it_text="esc\x1b[31m red\x0b"),
        reason="back\x08space \x01 and \x1f end",
    )
    parsed = read_feed(reader_client.get(reverse("glossary:feed_changes")))
    entry = parsed.entries[0]
    assert entry.title == "Bell\ufffd term: new term"
    text = _Markup(entry.summary).text
    assert ": back\ufffdspace \ufffd and \ufffd end" in text
    assert "IT: esc\ufffd[31m red" in text


@pytest.mark.slow
def test_a_feed_id_authority_that_is_not_a_domain_and_date_stops_the_app_at_start():
    def starts(value):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "1",
            "GLOSSARY_FEED_ID_AUTHORITY": value,
        }
        run = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env=environment,
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0 or "GLOSSARY_FEED_ID_AUTHORITY is a domain and a date" in run.stderr, run.stderr
        return run.returncode == 0

    assert starts("glossary.example.com,2026-01-01") and starts("glossary@example.com,2026")
    assert not starts("https://glossary.example.com/") and not starts("glossary.example.com")
