"""Reads about watching: a person's watches, and who watches a term."""

from django.core import signing
from django.db.models import Case, Q, QuerySet, When

from glossary.models import Watch

Target = Watch.Target

# Signs the unsubscribe links in mails: a link removes the watches it names, for the person it names.
UNSUBSCRIBE_SALT = "glossary.watching.unsubscribe"


class BadUnsubscribeLink(Exception):
    """The link was not made by this site (altered, cut short, or signed with another key)."""


def watches_of(user) -> QuerySet[Watch]:
    """The user's watches, the whole glossary first, then tags and terms by name."""
    return (
        Watch.objects.filter(user=user)
        .select_related("term", "tag")
        .order_by(
            Case(When(target=Watch.Target.GLOSSARY, then=0), When(target=Watch.Target.TAG, then=1), default=2),
            "tag__name",
            "term__name_key",
            "pk",
        )
    )


def watch_of(user, *, term_id: int | None = None, tag_id: int | None = None) -> Watch | None:
    """The user's watch of this term, tag or (with neither) the whole glossary, if they have one."""
    if not user.is_authenticated:
        return None
    target = Target.TERM if term_id else Target.TAG if tag_id else Target.GLOSSARY
    return Watch.objects.filter(user=user, target=target, term_id=term_id, tag_id=tag_id).first()


def watchers_of(*, term_id: int | None, tag_ids) -> dict[int, Watch]:
    """Each active person with an e-mail address who watches the term, one of the tags or the whole
    glossary, with the watch that decides how they hear: one asking for immediate e-mail wins over a
    digest, then the closest (term, tag, glossary)."""
    matches = Q(target=Target.GLOSSARY) | Q(target=Target.TAG, tag_id__in=list(tag_ids))
    if term_id is not None:
        matches |= Q(target=Target.TERM, term_id=term_id)
    closeness = {Target.TERM: 0, Target.TAG: 1, Target.GLOSSARY: 2}
    chosen: dict[int, Watch] = {}
    for watch in Watch.objects.filter(matches, user__is_active=True).exclude(user__email="").select_related("user"):
        rank = (watch.delivery != Watch.Delivery.IMMEDIATE, closeness[watch.target], watch.pk)
        current = chosen.get(watch.user_id)
        if current is None or rank < (
            current.delivery != Watch.Delivery.IMMEDIATE,
            closeness[current.target],
            current.pk,
        ):
            chosen[watch.user_id] = watch
    return chosen


def unsubscribe_link_watches(token: str) -> list[Watch]:
    """The watches an unsubscribe link still names (none if the person removed them already).

    Raises BadUnsubscribeLink for a link this site did not sign."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, watch_ids = int(payload["u"]), [int(pk) for pk in payload["w"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadUnsubscribeLink from None
    # The person is part of the signed link, so a watch id reused for someone else is never touched.
    return list(Watch.objects.filter(user_id=user_id, pk__in=watch_ids).select_related("term", "tag", "user"))
