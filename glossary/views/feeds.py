"""Atom feeds of published changes: the whole glossary, one tag, one term.

Readable by whoever may read the glossary. In a private glossary a feed reader, which cannot log
in, sends its user's feed token in the address (`?token=`); a token that is wrong or revoked gets
a 404, as if the feed were not there.

Every id is a `tag:` URI (RFC 4151) under GLOSSARY_FEED_ID_AUTHORITY, and every link an absolute
address under SITE_URL. Summaries are HTML made by a template, in which user text is escaped.
"""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.xmlutils import SimplerXMLGenerator

from accounts.services import feed_token_user
from glossary.models import Tag, Term
from glossary.selectors.feeds import PublishedChange, published_changes


def feed_reader_allowed(request) -> bool:
    """Whether this request may read the feeds; Http404 for a token that is not (or no longer) valid."""
    secret = request.GET.get("token", "")
    if secret:
        if feed_token_user(secret) is None:
            raise Http404("No such feed.")
        return True
    return settings.GLOSSARY_PUBLIC_READ or request.user.is_authenticated


# XML 1.0 cannot carry these at all, not even as character references: C0 controls other than tab,
# newline and carriage return, lone surrogates, U+FFFE and U+FFFF. Only NUL is refused where text is
# typed, so the rest can reach a feed, where Django would refuse them (a 500) or write them (a feed
# every reader rejects). Each becomes U+FFFD, which shows that something was there.
NOT_IN_XML_1_0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _XML10Generator(SimplerXMLGenerator):
    def characters(self, content):
        super().characters(NOT_IN_XML_1_0.sub("\ufffd", content))


class _AtomFeed(Atom1Feed):
    """Django's Atom feed, writing only text XML 1.0 can hold."""

    def write(self, outfile, encoding):
        handler = _XML10Generator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


def site_address(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def feed_id(specific: str) -> str:
    """A permanent id: a `tag:` URI rather than an address, because ids must not change when the
    site moves (RFC 4287 4.2.6) and an address is the one thing that does. Its authority is a domain
    the organisation held on a date, so the same string stays valid, and unique, after a move; it
    names the term and version by their database ids, which renaming a term keeps."""
    return f"tag:{settings.GLOSSARY_FEED_ID_AUTHORITY}:{specific}"


class PublishedChangesFeed(Feed):
    feed_type = _AtomFeed

    def __call__(self, request, *args, **kwargs):
        if not feed_reader_allowed(request):
            raise PermissionDenied("This glossary is private: log in, or add your feed token to the feed's address.")
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug=None):
        return None

    def title(self, obj):
        return f"{settings.GLOSSARY_ORGANISATION} glossary: published changes"

    def subtitle(self, obj):
        return "Every change all departments signed off, newest first."

    def link(self, obj):
        return site_address(reverse("glossary:term_list"))

    def feed_guid(self, obj):
        return feed_id("feeds/changes")

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Its own address, without the feed token it may have been read with: a feed's text can be
        # forwarded or shown, and the token is its reader's secret.
        feed.feed["feed_url"] = site_address(request.path)
        return feed

    def items(self, obj):
        return published_changes()

    def item_title(self, item: PublishedChange):
        return f"{item.term.name}: {item.what_changed}"

    def item_description(self, item: PublishedChange):
        # HTML, for readers to show as paragraphs and a list, with every word of user text escaped.
        return render_to_string("glossary/feeds/change_summary.html", {"change": item})

    def item_link(self, item: PublishedChange):
        query = {"to": item.history_id}
        if item.previous_history_id:
            query["from"] = item.previous_history_id
        return site_address(f"{reverse('glossary:term_history', kwargs={'slug': item.term.slug})}?{urlencode(query)}")

    def item_guid(self, item: PublishedChange):
        return feed_id(f"terms/{item.term.pk}/versions/{item.history_id}")

    item_guid_is_permalink = False

    def item_pubdate(self, item: PublishedChange):
        return item.published_at

    def item_updateddate(self, item: PublishedChange):
        return item.published_at

    def item_author_name(self, item: PublishedChange):
        return item.published_by


class TagChangesFeed(PublishedChangesFeed):
    def get_object(self, request, slug=None):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj):
        return f"{settings.GLOSSARY_ORGANISATION} glossary: published changes to terms tagged “{obj.name}”"

    def link(self, obj):
        return site_address(f"{reverse('glossary:term_list')}?{urlencode({'tag': obj.slug})}")

    def feed_guid(self, obj):
        return feed_id(f"feeds/tags/{obj.pk}")

    def items(self, obj):
        return published_changes(tag=obj)


class TermChangesFeed(PublishedChangesFeed):
    def get_object(self, request, slug=None):
        return get_object_or_404(Term, slug=slug)

    def title(self, obj):
        return f"{settings.GLOSSARY_ORGANISATION} glossary: published changes to “{obj.name}”"

    def link(self, obj):
        return site_address(obj.get_absolute_url())

    def feed_guid(self, obj):
        return feed_id(f"feeds/terms/{obj.pk}")

    def items(self, obj):
        return published_changes(term=obj)
