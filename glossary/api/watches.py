"""Watching through the API: the caller's own watches, as on *My watches*, through the same services.

Only ever the caller's: a watch is listed, changed and removed for the user the token (or session)
stands for, and someone else's is a 404, as on the page. Listing needs a signed-in caller (an open
glossary's anonymous reader has no watches); changing needs what every write needs: a token that is
not read-only, or the session with its CSRF token.
"""

from django.http import Http404
from ninja import Query, Router, Schema, Status

from glossary.api import schemas
from glossary.api.auth import SIGNED_IN, WRITE
from glossary.api.errors import invalid
from glossary.api.paging import page_of
from glossary.api.terms import by_slug
from glossary.models import Tag, Term, Watch
from glossary.selectors import watching as selectors
from glossary.services import watching as services

router = Router(tags=["Watches"], auth=SIGNED_IN)

Target = Watch.Target


class WatchListQuery(Schema):
    page: schemas.PageNumber = 1
    page_size: schemas.integer_in_address(most=100) = 25


@router.get("/watches", response=schemas.WatchPage, summary="My watches")
def watch_list(request, query: Query[WatchListQuery]):
    def watches_data(watches: list[Watch]) -> list[dict]:
        return [watch_data(watch) for watch in watches]

    return page_of(request, selectors.watches_of(request.user), query.page, query.page_size, watches_data)


@router.post(
    "/watches",
    response={200: schemas.Watch, 201: schemas.Watch},
    auth=WRITE,
    summary="Watch a term, a tag or the whole glossary",
    description=(
        "201 with the new watch; watching what you already watch changes its delivery and answers "
        "200 with that watch, as the site's Watch button does."
    ),
)
def watch_create(request, body: schemas.NewWatch):
    term, tag = _watched(body)
    already = selectors.watch_of(request.user, term_id=term and term.pk, tag_id=tag and tag.pk)
    watch = services.watch_set(user=request.user, delivery=body.delivery.value, term=term, tag=tag)
    return Status(200 if already else 201, watch_data(watch))


@router.delete("/watches/{watch_id}", response={204: None}, auth=WRITE, summary="Stop watching")
def watch_delete(request, watch_id: schemas.IdInAddress):
    try:
        services.watch_remove(user=request.user, watch_id=watch_id)
    except Watch.DoesNotExist:
        raise Http404("You have no such watch.") from None
    return Status(204, None)


def _watched(body: schemas.NewWatch) -> tuple[Term | None, Tag | None]:
    """The term or tag the body names, as its target says (its schema refuses a slug where the
    target takes none); an empty slug is refused at its field rather than guessed."""
    target = Target(body.target)
    for field, wanted in (("term", Target.TERM), ("tag", Target.TAG)):
        if target == wanted and not getattr(body, field):
            raise invalid(("body", field), f"Say which {field} to watch (its slug).")
    term = by_slug(Term, body.term, "term", "No term has this slug.", where="body")
    tag = by_slug(Tag, body.tag, "tag", "No tag has this slug.", where="body")
    return term, tag


def watch_data(watch: Watch) -> dict:
    return {
        "id": watch.pk,
        "target": watch.target,
        "term": watch.term.slug if watch.term_id else None,
        "tag": watch.tag.slug if watch.tag_id else None,
        "description": watch.describe(),
        "delivery": watch.delivery,
        "created_at": watch.created_at,
    }
