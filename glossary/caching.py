"""Everything the app caches, under which keys, for how long, and what makes it stale.

Views and services hand a part's name and a way to compute it to a function here (for example
`term_page(slug, render)`); they never build keys. Each part declares what it depends on, and its
key carries the current value of each, so a change anywhere gives new keys on every app server and
nothing stale is served; entries under old keys expire after their timeout (or Redis evicts them).

What it depends on:

- **the glossary's state**: one query reads the newest history ids of terms, tags, departments and
  users (django-simple-history writes one for every change, whichever server makes it; a term's
  definitions, tags and approvals are saved as a term version), review confirmations, and today's
  date (a term's review mark turns overdue at midnight). Read once per request, when the
  first part asks for it (`ReadStateOncePerRequest`); outside requests, on every call.
- **the workflow's state**: the newest history ids of proposals, sign-offs, departments and users,
  read in the same query as the signed-in user (the glossary adds it to the user query of
  `accounts.backends`, see `workflow_state_expression`). Without it (no user loaded for a page),
  parts depending on it are computed every time.
- **the user**: their id, department and whether they sign off (a role change writes no history,
  so it must be in the key; it comes fresh with the user).

The parts (key = release prefix, then name, what identifies the part, each state):

| part | shows | depends on | key | timeout |
|---|---|---|---|---|
| term-page | a term's page as every reader sees it | glossary | term-page:<slug>:<glossary> | 1 hour |
| term-versions | a term's versions, for its history page | glossary | term-versions:<slug>:<glossary> | 1 hour |
| list-choices | departments, tags and letters in use (home page filters) | glossary | list-choices:<glossary> | 1 hour |
| term-list | a browsing page of the list (not a search) | glossary | term-list:<filters>:<page>:<glossary> | 1 hour |
| term-card | one term's card in the list, shared by list pages and searches | glossary | term-card:<id>:<glossary> | 1 hour |
| current-entry | the term as it stands, on a proposal's page | glossary | current-entry:<term id>:<glossary> | 1 hour |
| navigation-counts | the two badges in the navigation | workflow, user | navigation-counts:<workflow>:<user> | 1 hour |
| proposal-list | a page of the approver queue or of my proposals | workflow, user | proposal-list:<list>:<page>:<workflow>:<user> | 1 hour |
| glossary-pdf | a finished PDF export | glossary | glossary-pdf:<options digest>:<glossary> | 1 day |
| api-term | one term as the API answers it, at one site address | glossary | api-term:<address digest>.<id>:<glossary> | 1 hour |
| last-change | when the glossary last changed (the API's Last-Modified) | glossary | last-change:<glossary> | 1 hour |
| term-gaps | how far apart each term's definitions are (dashboard), with the term version each figure is for | nothing | term-gaps:<active department ids> | 1 day |
| agreement-months | the dashboard's agreement at the end of each past month | nothing | agreement-months:<tag>:<month>:<history before it>:<tag's terms> | 1 day |
| dashboard | the dashboard's figures for the glossary or one tag, within one hour | glossary, workflow | dashboard:<tag>:<hour>:<glossary>:<workflow> | 1 hour |

Every key starts with the release's fingerprint (`common.release.release_fingerprint`, set as the
cache's KEY_PREFIX in config/settings.py): templates, stylesheets and code, so after a deploy no
server serves a part or PDF rendered by the previous release. Sessions are read through the same
cache (`cached_db`), for as long as a session lasts.

Besides these parts, two pure functions remember their recent results in each process
(`functools.lru_cache`, bounded; no key or state needed, as the result depends only on the
arguments): `glossary.rendering.render_markdown` and `glossary.rendered_diffs.rendered_diff`.

The setting CACHED_PARTS_OFF names parts to compute every time instead: `bench/pages.py
--without` times pages with and without each part in turns.

From the same states come the validators a browser or client sends back to hear "304 Not
Modified" (the term page and its RDF): `entity_tag` (the glossary's state, the release, what the
view names, and a signed-in user's view) and `glossary_last_changed`.
"""

import functools
import hashlib
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import Enum

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts import roles
from accounts.models import Department, User
from glossary.models import Definition, Proposal, ReviewConfirmation, SignOff, Tag, Term

HOUR = 60 * 60
DAY = 24 * HOUR


class Depends(Enum):
    GLOSSARY = "the glossary's state"
    WORKFLOW = "the workflow's state"
    USER = "the user's id, department and sign-off right"


@dataclass(frozen=True)
class Part:
    """Something cached: its name (the start of its keys), what it depends on and its timeout."""

    name: str
    depends_on: tuple[Depends, ...]
    timeout: int = HOUR

    def states(self, user=None) -> list[str] | None:
        """The current value of each state the part depends on, or None when one cannot be known."""
        values = [_current(dependency, user) for dependency in self.depends_on]
        return None if None in values else values

    def key(self, identity: tuple, states: list[str]) -> str:
        key = ":".join([self.name, *map(str, identity), *states])
        if len(key) > 200:  # identities can carry request input: stay within every backend's limit
            key = f"{self.name}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
        return key


TERM_PAGE = Part("term-page", (Depends.GLOSSARY,))
TERM_VERSIONS = Part("term-versions", (Depends.GLOSSARY,))
LIST_CHOICES = Part("list-choices", (Depends.GLOSSARY,))
TERM_LIST = Part("term-list", (Depends.GLOSSARY,))
TERM_CARD = Part("term-card", (Depends.GLOSSARY,))
CURRENT_ENTRY = Part("current-entry", (Depends.GLOSSARY,))
NAVIGATION_COUNTS = Part("navigation-counts", (Depends.WORKFLOW, Depends.USER))
PROPOSAL_LIST = Part("proposal-list", (Depends.WORKFLOW, Depends.USER))
# Rendering takes seconds to minutes, and the glossary changes a few times a day.
PDF = Part("glossary-pdf", (Depends.GLOSSARY,), timeout=DAY)

API_TERM = Part("api-term", (Depends.GLOSSARY,))
LAST_CHANGE = Part("last-change", (Depends.GLOSSARY,))
# A term's definitions change only with a new version of it: a figure kept with its version is
# known to be current while the version is.
TERM_GAPS = Part("term-gaps", (), timeout=DAY)
# Past months' figures change only if history before this month does (a backdated import, a
# department's first record): its size is in the key.
AGREEMENT_MONTHS = Part("agreement-months", (), timeout=DAY)
# Figures of time (days waiting, the last 90 days) move on by themselves: the hour is in the key.
DASHBOARD = Part("dashboard", (Depends.GLOSSARY, Depends.WORKFLOW))

PARTS = [
    TERM_PAGE,
    TERM_VERSIONS,
    LIST_CHOICES,
    TERM_LIST,
    TERM_CARD,
    CURRENT_ENTRY,
    NAVIGATION_COUNTS,
    PROPOSAL_LIST,
    PDF,
    API_TERM,
    LAST_CHANGE,
    TERM_GAPS,
    AGREEMENT_MONTHS,
    DASHBOARD,
]


# What views and services call.


def term_page(slug: str, render: Callable):
    return _cached(TERM_PAGE, (slug,), render)


def term_versions(slug: str, compute: Callable):
    return _cached(TERM_VERSIONS, (slug,), compute)


def list_choices(compute: Callable):
    return _cached(LIST_CHOICES, (), compute)


def term_list_page(filters: str, number: int, render: Callable):
    return _cached(TERM_LIST, (filters, number), render)


def term_cards(ids: list[int], render: Callable[[list[int]], dict[int, str]]) -> dict[int, str]:
    """{id: card} for every id, rendering (`render(missing_ids)`) only those not cached."""
    return _cached_many(TERM_CARD, ids, render)


def current_entry(term_id: int | None, compute: Callable):
    return _cached(CURRENT_ENTRY, (term_id,), compute)


def navigation_counts(user, compute: Callable):
    return _cached(NAVIGATION_COUNTS, (), compute, user)


def proposal_list(user, list_name: str, number: int, render: Callable):
    return _cached(PROPOSAL_LIST, (list_name, number), render, user)


def api_terms(address: str, ids: list[int], compute: Callable[[list[int]], dict[int, dict]]) -> dict[int, dict]:
    """{id: the term as the API answers it} for every id, computing (`compute(missing_ids)`) only
    those not cached. The answer holds absolute links, so the site's `address` is part of the key."""
    site = hashlib.sha256(address.encode()).hexdigest()[:12]
    identities = {f"{site}.{pk}": pk for pk in ids}
    found = _cached_many(
        API_TERM,
        list(identities),
        lambda missing: {f"{site}.{pk}": data for pk, data in compute([identities[i] for i in missing]).items()},
    )
    return {pk: found[identity] for identity, pk in identities.items()}


def last_change(compute: Callable):
    return _cached(LAST_CHANGE, (), compute)


def term_gaps(
    versions: dict[int, int], departments: list[int], compute: Callable[[list[int]], dict[int, float]]
) -> dict[int, float]:
    """{term id: the similarity of its least alike definitions} for every term in `versions` (id:
    version), computing (`compute(missing ids)`) only terms not known at their current version.

    One entry holds every term's figure with the version it is for: thousands of small entries
    would crowd the term cards out of a bounded cache.
    """
    if not _is_on(TERM_GAPS):
        return compute(list(versions))
    key = TERM_GAPS.key(("-".join(map(str, sorted(departments))),), [])
    known = cache.get(key) or {}
    missing = [pk for pk, version in versions.items() if pk not in known or known[pk][0] != version]
    if missing:
        computed = compute(missing)
        known = {**known, **{pk: (versions[pk], computed[pk]) for pk in missing}}
        cache.set(key, known, TERM_GAPS.timeout)
    return {pk: known[pk][1] for pk in versions}


def agreement_months(tag_slug: str, month_start, scope: list[int] | None, compute: Callable):
    """The agreement at the end of each past month, kept while the history before `month_start`,
    the departments' history and the tag's terms (`scope`) stay as they are."""
    if not _is_on(AGREEMENT_MONTHS):
        return compute()
    before = _history_before(month_start)
    terms = hashlib.sha256(repr(scope).encode()).hexdigest()[:16] if scope is not None else "all"
    key = AGREEMENT_MONTHS.key((tag_slug, month_start.date().isoformat(), before, terms), [])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, AGREEMENT_MONTHS.timeout)
    return value


def _history_before(moment) -> str:
    """How many history records of terms, definitions and proposals precede `moment`, and of
    departments in all: one query."""
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT COUNT(*) FROM {quote(model.history.model._meta.db_table)} WHERE history_date < %s)"
        for model in (Term, Definition, Proposal)
    ]
    parts.append(f"(SELECT COUNT(*) FROM {quote(Department.history.model._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", [moment] * 3)
        return ".".join(map(str, cursor.fetchone()))


def dashboard(tag_slug: str, hour: str, compute: Callable, user=None):
    """The dashboard's figures; without a signed-in user (the API with a token, a public reader) the
    workflow's state is read in one more query."""
    if getattr(user, "workflow_state", None) is None:
        user = _WorkflowStateOnly(_read_workflow_state())
    return _cached(DASHBOARD, (tag_slug, hour), compute, user)


@dataclass(frozen=True)
class _WorkflowStateOnly:
    workflow_state: str


def _read_workflow_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_newest_versions_sql(Proposal, SignOff, Department, User)}")
        return str(cursor.fetchone()[0])


def pdf_key(options) -> str:
    """The key of the PDF for these export options under the glossary's current state; a
    background export carries it, so a second request for the same PDF joins the first."""
    return PDF.key((_options_digest(options),), PDF.states())


def pdf(options, render: Callable[[], bytes]) -> bytes:
    """The PDF for `options`: from the cache while the glossary is unchanged, else rendered and kept."""
    return _cached(PDF, (_options_digest(options),), render)


def cached_pdf(options) -> bytes | None:
    """The PDF for `options` if it is cached under the glossary's current state."""
    return cache.get(pdf_key(options))


def _options_digest(options) -> str:
    return hashlib.sha256(repr(sorted(asdict(options).items())).encode()).hexdigest()[:16]


# Validators (RFC 9110 8.8): what a browser or client sends back to hear "304 Not Modified".


def entity_tag(*identity, user=None) -> str:
    """A weak ETag for an answer made from the glossary's state and `identity` (the address, the
    representation, whatever else the view shows), under this release and these settings; with a
    signed-in `user`, also from what every page shows of them: who they are, their department,
    their page permissions (the navigation's links and buttons) and the workflow's state (the
    badges, the term's open proposals).

    Weak, because two answers under one tag are the same page, not the same bytes: forms carry
    a CSRF token masked anew each time. The cache's key prefix is the release's fingerprint.
    """
    parts = [
        settings.CACHES["default"].get("KEY_PREFIX", ""),
        settings.SITE_URL,
        settings.GLOSSARY_ORGANISATION,
        glossary_state(),
        *identity,
    ]
    if user is not None and user.is_authenticated:
        permissions = getattr(user, "page_permissions", None)
        if permissions is None:
            permissions = sorted(user.get_all_permissions())
        workflow = getattr(user, "workflow_state", None) or _read_workflow_state()
        parts += [f"user {user.pk} {user.department_id} {permissions} {user.is_staff} {user.is_superuser}", workflow]
    return f'W/"{hashlib.sha256(repr(parts).encode()).hexdigest()[:32]}"'


def glossary_last_changed() -> datetime | None:
    """When anything the glossary's state reads last changed: its newest history record, in one query."""
    quote = connection.ops.quote_name
    models = (Term, Tag, Department, User, ReviewConfirmation)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(
                f"(SELECT MAX(history_date) FROM {quote(model.history.model._meta.db_table)})" for model in models
            )
        )
        found = [value for value in cursor.fetchone() if value is not None]
    # SQLite hands back text, in UTC; PostgreSQL a datetime.
    moments = [value if isinstance(value, datetime) else parse_datetime(value) for value in found]
    return max((m if timezone.is_aware(m) else timezone.make_aware(m, UTC) for m in moments), default=None)


# The states.


def glossary_state() -> str:
    """Changes whenever anything a page or export shows of the glossary changes."""
    states = _states_of_this_request.get()
    if states is None:
        return _read_glossary_state()
    if Depends.GLOSSARY not in states:
        states[Depends.GLOSSARY] = _read_glossary_state()
    return states[Depends.GLOSSARY]


def workflow_state_expression() -> RawSQL:
    """The workflow's state, for the user query of accounts.backends to carry as `workflow_state`."""
    return RawSQL(_newest_versions_sql(Proposal, SignOff, Department, User), ())


class ReadStateOncePerRequest:
    """Middleware: a page showing several parts reads the glossary's state once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _states_of_this_request.set({})
        try:
            return self.get_response(request)
        finally:
            _states_of_this_request.reset(token)


_states_of_this_request: ContextVar[dict | None] = ContextVar("states_of_this_request", default=None)


@functools.cache
def _newest_versions_sql(*models) -> str:
    """An SQL expression for a short string that changes whenever any of `models` changes: the
    newest history id of each, which every app server reads alike.

    Built once: reaching the history tables through their managers costs more than the query.
    """
    quote = connection.ops.quote_name
    return " || '-' || ".join(
        f"COALESCE((SELECT MAX(history_id) FROM {quote(model.history.model._meta.db_table)}), 0)" for model in models
    )


def _read_glossary_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_newest_versions_sql(Term, Tag, Department, User, ReviewConfirmation)}")
        # Review marks ("overdue since …") change with the day, not with a write.
        return f"{cursor.fetchone()[0]}-{timezone.localdate().isoformat()}"


def _current(dependency: Depends, user) -> str | None:
    if dependency is Depends.GLOSSARY:
        return glossary_state()
    if dependency is Depends.WORKFLOW:
        return getattr(user, "workflow_state", None)
    return f"{user.pk}.{user.department_id}.{user.has_perm(roles.SIGN_OFF)}"


def _is_on(part: Part) -> bool:
    return part.name not in settings.CACHED_PARTS_OFF


def _cached(part: Part, identity: tuple, compute: Callable, user=None):
    """`compute()`, kept under the part's current key; computed every time when it has none."""
    states = part.states(user) if _is_on(part) else None
    if states is None:
        return compute()
    key = part.key(identity, states)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, part.timeout)
    return value


def _cached_many(part: Part, identities: list[Hashable], compute: Callable[[list], dict]) -> dict:
    """{identity: value} for every identity, computing (`compute(missing)`) only those not cached."""
    states = part.states() if _is_on(part) else None
    if states is None:
        return compute(list(identities))
    keys = {identity: part.key((identity,), states) for identity in identities}
    found = cache.get_many(keys.values())
    values = {identity: found[key] for identity, key in keys.items() if key in found}
    missing = [identity for identity in identities if identity not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[identity]: value for identity, value in computed.items()}, part.timeout)
        values.update(computed)
    return values
