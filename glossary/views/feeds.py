"""Atom feeds of published changes: the whole glossary, one tag, one term.

Readable by whoever may read the glossary. In a private glossary a feed reader, which cannot log
in, sends its user's feed token in the address (`?token=`); a token that is wrong or revoked gets
a 404, as if the feed were not there.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

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


class PublishedChangesFeed(Feed):
    feed_type = Atom1Feed

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
        return reverse("glossary:term_list")

    def items(self, obj):
        return published_changes()

    def item_title(self, item: PublishedChange):
        return f"{item.term.name}: {item.what_changed}"

    def item_description(self, item: PublishedChange):
        lines = [f"Why: {item.reason}"]
        lines += [f"{department}: {definition}" for department, definition in item.definitions]
        return "\n".join(lines)

    def item_link(self, item: PublishedChange):
        query = {"to": item.history_id}
        if item.previous_history_id:
            query["from"] = item.previous_history_id
        return f"{reverse('glossary:term_history', kwargs={'slug': item.term.slug})}?{urlencode(query)}"

    def item_guid(self, item: PublishedChange):
        return f"{reverse('glossary:term_detail', kwargs={'slug': item.term.slug})}#version-{item.number}-{item.history_id}"

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
        return f"{reverse('glossary:term_list')}?{urlencode({'tag': obj.slug})}"

    def items(self, obj):
        return published_changes(tag=obj)


class TermChangesFeed(PublishedChangesFeed):
    def get_object(self, request, slug=None):
        return get_object_or_404(Term, slug=slug)

    def title(self, obj):
        return f"{settings.GLOSSARY_ORGANISATION} glossary: published changes to “{obj.name}”"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return published_changes(term=obj)
