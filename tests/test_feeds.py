"""Atom feeds of published changes: the whole glossary, one tag, one term; private ones by feed token."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import FeedToken
from accounts.services import feed_token_create, feed_token_revoke
from glossary.models import Proposal, Term
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
        ada, ivan, marco,
        new_term_entry(it, marketing, it_text="Integrated systems, **real-time** data.", tags=("Channels",)),
        term=omnichannel, reason="IT means real time",
    )
    publish(ada, ivan, marco, new_term_entry(it, marketing, name="Lead", it_text="A row in the CRM.",
                                             marketing_text="Someone who might buy.", tags=("Sales",)))
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
        "Omnichannel: What IT means", "Omnichannel: new term",
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


def test_hostile_text_stays_text_in_the_feed(ada, ivan, marco, it, marketing, reader_client):
    publish(ada, ivan, marco, new_term_entry(it, marketing, name="Evil </title><script>x</script>",
                                             it_text="<b>&amp; ]]>"), reason="<!-- -->")
    found = entries(reader_client.get(reverse("glossary:feed_changes")))
    assert found[0]["title"] == "Evil </title><script>x</script>: new term"


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
