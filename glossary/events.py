"""What happens in the glossary, and the one way others hear of it.

The workflow's services raise an event for each thing that happened (`raise_event(ProposalOpened(
proposal_id=...))`) and know nothing of who reacts. Whoever reacts (mail, watching, webhooks)
subscribes in its app's `AppConfig.ready()`, and nothing else wires it:

    events.subscribe(ProposalOpened, handler)                       # after the change commits
    events.subscribe(ProposalOpened, handler, in_transaction=True)  # inside the change itself

The rule, for both kinds of handler:

- After commit (the default) is for what cannot be taken back: queueing a mail or a delivery.
  The handler is called once per event, once the change's transaction has committed (at once when
  no transaction is open), never when it rolls back: events raised in a savepoint that rolls back
  are dropped with it. Handlers are called in the order they subscribed. One that fails is logged
  with the request id and the event, and the next one is still called: the change is already
  committed, so an error would only tell the person it failed and make them do it again.
- In transaction is for rows that must commit or roll back with the change (the watch notices
  people will be sent: recorded after commit, a crash in between would lose them). The handler is
  called at once, inside the change's transaction; it only writes rows, and its error is the
  change's error (the change rolls back).
- Inside `held()` (the demo loader: its workflow is real, its people are not) events reach no
  handler at all.

An event carries ids, not rows: a handler after commit reads what was committed.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from common.request_id import current_request_id

logger = logging.getLogger(__name__)


class Event:
    """Something that happened in the glossary (a frozen dataclass below)."""


@dataclass(frozen=True)
class ProposalOpened(Event):
    proposal_id: int


@dataclass(frozen=True)
class ProposalRevised(Event):
    """The author's edit, or the proposal moved onto the term's current version: a new revision."""

    proposal_id: int
    revision: int


@dataclass(frozen=True)
class ProposalDecided(Event):
    """A department's sign-off on a revision: `decision` is a SignOff.Decision value (approve,
    request_changes, reject)."""

    proposal_id: int
    sign_off_id: int
    decision: str


@dataclass(frozen=True)
class ProposalPublished(Event):
    """Every department approved: the proposal is now its term's official entry (a deprecation
    raises TermDeprecated instead)."""

    proposal_id: int
    term_id: int


@dataclass(frozen=True)
class TermDeprecated(Event):
    """A deprecation was published: the term is deprecated."""

    proposal_id: int
    term_id: int


@dataclass(frozen=True)
class ProposalWithdrawn(Event):
    proposal_id: int


@dataclass(frozen=True)
class ProposalOutOfDate(Event):
    """The term changed under the proposal, which can no longer publish as it is."""

    proposal_id: int


@dataclass(frozen=True)
class TermReviewDue(Event):
    """The term's review date has come within the warning days, or passed: raised once per term
    and date (glossary.services.review.review_due_announce)."""

    term_id: int
    review_by: datetime.date


Handler = Callable[[Event], object]

_after_commit: dict[type[Event], list[Handler]] = defaultdict(list)
_in_transaction: dict[type[Event], list[Handler]] = defaultdict(list)
_held: ContextVar[bool] = ContextVar("events_held", default=False)


def subscribe(event_type: type[Event], handler: Handler, *, in_transaction: bool = False) -> None:
    """Call `handler(event)` for each event of `event_type` (after commit, or inside the change)."""
    handlers = (_in_transaction if in_transaction else _after_commit)[event_type]
    if handler not in handlers:  # a second subscription would call it twice per event
        handlers.append(handler)


def unsubscribe(event_type: type[Event], handler: Handler, *, in_transaction: bool = False) -> None:
    handlers = (_in_transaction if in_transaction else _after_commit)[event_type]
    if handler in handlers:
        handlers.remove(handler)


@contextmanager
def held() -> Iterator[None]:
    """Events raised inside reach no handler: no mail is queued, no watch notice recorded, no
    delivery stored."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def raise_event(event: Event) -> None:
    """Tell the in-transaction handlers now, and the others once the change commits."""
    if _held.get():
        return
    for handler in list(_in_transaction[type(event)]):
        handler(event)
    transaction.on_commit(partial(_dispatch, event))


def _dispatch(event: Event) -> None:
    for handler in list(_after_commit[type(event)]):
        try:
            handler(event)
        except Exception:  # one failing reactor must not keep the others from hearing of a committed change
            logger.exception(
                "%s failed on %r (request %s); the other subscribers are still told",
                getattr(handler, "__qualname__", handler),
                event,
                current_request_id(),
            )
