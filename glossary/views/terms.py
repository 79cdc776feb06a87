import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.contrib.messages import get_messages
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.views.generic import TemplateView
from ninja.errors import HttpError
from rdflib import Graph

from accounts import roles
from glossary import caching, workflow
from glossary.api.auth import TokenAuth
from glossary.api.errors import problem
from glossary.entries import diff_entries
from glossary.forms.terms import LETTERS, TermFilterForm
from glossary.interchange.files import glossary_file
from glossary.interchange.options import ExportOptions
from glossary.models import Term, Watch
from glossary.models.terms import ReviewStatus
from glossary.negotiation import JSON_LD_COMPACTED, JSON_LD_EXPANDED, Representation, preferred_representation
from glossary.selectors import proposals as proposal_selectors
from glossary.selectors import review as review_selectors
from glossary.selectors import terms as selectors
from glossary.selectors import watching as watching_selectors
from glossary.structured_data import defined_term, json_ld_script
from glossary.views import page_number

# What a term's address answers with: its page, or the term in SKOS in one of the export's file
# formats (by their names in glossary.interchange), JSON-LD compacted or expanded.
TERM_PAGE = Representation("text/html", "html")
TERM_REPRESENTATIONS = (
    TERM_PAGE,
    Representation("text/turtle", "ttl"),
    Representation("application/ld+json", "jsonld", profile=JSON_LD_COMPACTED),
    Representation("application/ld+json", "jsonld", profile=JSON_LD_EXPANDED),
    Representation("application/rdf+xml", "rdf"),
)


class GlossaryReadMixin(AccessMixin):
    """Reading needs a login unless GLOSSARY_PUBLIC_READ opens the glossary to everyone."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.GLOSSARY_PUBLIC_READ and not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


@dataclass(frozen=True)
class TermListing:
    """One page of the term list, rendered; `count` is the number of matching terms."""

    count: int
    html: str


def term_listing(filters: dict, departments, number: int, page_query: str) -> TermListing:
    page = selectors.term_id_page(number, settings.GLOSSARY_PAGE_SIZE, **filters)
    if not page.object_list:
        return TermListing(count=0, html="")
    context = {
        "page": page,
        "cards": term_cards(list(page.object_list), departments),
        "page_query": page_query,
        "filtered": any(filters.values()),
    }
    return TermListing(count=page.paginator.count, html=render_to_string("glossary/_term_listing.html", context))


def term_cards(ids: list[int], departments) -> list[str]:
    """Each term's card in the list, rendered once per glossary state and shared by every list
    page and search that shows it: rendering fifty cards took longer than finding them."""

    def render(missing: list[int]) -> dict[int, str]:
        terms = selectors.terms_for_cards(missing)
        context = {"departments": departments}
        return {pk: render_to_string("glossary/_term_card.html", {**context, "term": terms[pk]}) for pk in missing}

    cards = caching.term_cards(ids, render)
    return [cards[pk] for pk in ids]


class TermListView(GlossaryReadMixin, TemplateView):
    template_name = "glossary/term_list.html"

    def get_context_data(self, **kwargs):
        departments, tags, letters_in_use = caching.list_choices(
            lambda: (selectors.department_columns(), selectors.tag_choices(), selectors.letters_in_use()),
        )
        form = TermFilterForm(self.request.GET or None, departments=departments, tags=tags)
        if form.is_bound:
            form.is_valid()
        filters = form.filters()
        # Only valid filters travel on, in links and in cache keys.
        valid = {
            "q": filters["query"],
            "status": filters["status"],
            "tag": filters["tag"].slug if filters["tag"] else "",
            "missing": filters["missing_department"].slug if filters["missing_department"] else "",
            "letter": filters["letter"],
        }
        page_query = urlencode({k: v for k, v in valid.items() if v})
        number = page_number(self.request.GET.get("page"))

        def render_listing():
            return term_listing(filters, departments, number, page_query)

        # Browsing pages look the same to everyone until the glossary changes; searches are too
        # varied to be worth sharing, so they run every time.
        if not filters["query"]:
            listing = caching.term_list_page(page_query, number, render_listing)
        else:
            listing = render_listing()
        # Exports take every filter of the page, so a file holds what the list shows.
        export_filters = {k: valid[k] for k in ("status", "tag", "missing", "letter", "q")}
        return super().get_context_data(
            form=form,
            listing=listing,
            letters=LETTERS,
            letters_in_use=letters_in_use,
            current_letter=filters["letter"],
            letter_query=urlencode({k: v for k, v in valid.items() if v and k != "letter"}),
            filtered=any(filters.values()),
            export_filters=export_filters,
            feed_tag=filters["tag"],
            # The user's own: read every time, outside the shared cached listing.
            tag_watch=watching_selectors.watch_of(self.request.user, tag_id=filters["tag"].pk)
            if filters["tag"]
            else None,
            glossary_watch=watching_selectors.watch_of(self.request.user),
            deliveries=Watch.Delivery.choices,
            export_query=urlencode({k: v for k, v in export_filters.items() if v}),
            **kwargs,
        )


@dataclass(frozen=True)
class SharedTermPage:
    """What every reader of a term's page sees alike, with its two parts already rendered."""

    pk: int
    name: str
    slug: str
    initial: str
    status: str
    review_status: str
    heading: str
    body: str
    structured_data: str  # schema.org DefinedTerm, as a JSON-LD <script> for the page's head


def shared_term_page(slug: str) -> SharedTermPage | None:
    term = selectors.term_for_page(slug)
    if term is None:
        return None
    definitions = {d.department_id: d for d in term.definitions.all()}
    columns = [(dept, definitions.get(dept.pk)) for dept in selectors.department_columns()]
    context = {
        "term": term,
        "columns": columns,
        "last_change": selectors.term_last_change(term),
        "approvals": proposal_selectors.term_approvals(term),
        # The page is cached under the glossary's state, which includes today's date.
        "review_status": term.review_status(),
    }
    return SharedTermPage(
        pk=term.pk,
        name=term.name,
        slug=term.slug,
        initial=term.initial,
        status=term.status,
        review_status=context["review_status"],
        heading=render_to_string("glossary/_term_heading.html", context),
        body=render_to_string("glossary/_term_body.html", context),
        structured_data=json_ld_script(defined_term(term, columns)),
    )


def rdf_reader_refusal(request) -> HttpResponse | None:
    """None when this request may read a term's RDF; else the 401 (or 429) an RDF client reads.

    An RDF client cannot follow a log-in page, so besides a session or an open glossary it may
    bring the API's read token (`Authorization: Bearer cg_…`), checked as the API checks it: a token
    that is not valid is refused even where reading is open, and counts towards the address's limit.
    """
    # Only a Bearer header is a token: django-ninja logs any other Authorization header whole.
    if request.headers.get("Authorization", "").split(" ")[0].lower() == "bearer":
        try:
            if TokenAuth(write=False)(request) is not None:
                return None
        except HttpError as refusal:
            return _token_refusal(refusal)
    if settings.GLOSSARY_PUBLIC_READ or request.user.is_authenticated:
        return None
    response = problem(
        401, "This glossary is private: send an API token (Authorization: Bearer cg_…), made on My API tokens."
    )
    response["WWW-Authenticate"] = 'Bearer realm="glossary"'
    return response


def _token_refusal(refusal: HttpError) -> HttpResponse:
    response = problem(refusal.status_code, refusal.message)
    if refusal.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="glossary", error="invalid_token"'
    if getattr(refusal, "retry_after", None):
        response["Retry-After"] = str(refusal.retry_after)
    return response


class TermDetailView(GlossaryReadMixin, TemplateView):
    """A term's page; its address is also the term's URI in SKOS, so a client asking for RDF
    (`Accept: text/turtle`, `application/ld+json` or `application/rdf+xml`) gets the term in SKOS.

    Both carry a weak ETag (and the RDF a Last-Modified) and answer 304 to a client that sends it
    back while nothing it shows has changed, only after checking that the client may read it."""

    template_name = "glossary/term_detail.html"

    def dispatch(self, request, *args, **kwargs):
        representation = preferred_representation(request.headers.get("Accept", ""), TERM_REPRESENTATIONS)
        if representation == TERM_PAGE or request.method not in ("GET", "HEAD"):
            response = super().dispatch(request, *args, **kwargs)
        else:
            response = rdf_reader_refusal(request) or self.rdf(request, representation, kwargs["slug"])
        patch_vary_headers(response, ["Accept"])
        return response

    def get(self, request, *args, **kwargs):
        # Rendered once per glossary state for everyone: the queries and Markdown were most of the page's time.
        self.page = caching.term_page(kwargs["slug"], lambda: shared_term_page(kwargs["slug"]))
        if self.page is None:
            raise Http404("No such term.")
        # The user's own watch is on the page, so in its tag: read once for both.
        self.watch = watching_selectors.watch_of(request.user, term_id=self.page.pk)
        etag = self.page_etag()
        if etag is not None:
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                not_modified["ETag"] = etag
                return not_modified
        response = super().get(request, *args, **kwargs)
        if etag is not None:
            response["ETag"] = etag
        return response

    def page_etag(self) -> str | None:
        """What this user's page shows: the term at the glossary's state, the user, their watch,
        and the CSRF secret a signed-in user's forms carry (a new one after logging in again). None
        while a message waits: that page is shown once, and must not be kept and shown again."""
        request = self.request
        if len(get_messages(request)):  # counts without marking them as shown
            return None
        watch = (self.watch.pk, self.watch.delivery) if self.watch else None
        csrf_secret = ""
        if request.user.is_authenticated:
            get_token(request)  # the page's forms make one anyway: made now, it is in the first tag
            csrf_secret = hashlib.sha256(request.META["CSRF_COOKIE"].encode()).hexdigest()
        return caching.entity_tag(request.get_full_path(), TERM_PAGE.name, watch, csrf_secret, user=request.user)

    def rdf(self, request, representation: Representation, slug: str) -> HttpResponse:
        if not Term.objects.filter(slug=slug).exists():  # before any 304: a term gone is a 404
            raise Http404("No such term.")
        # The same for every reader who may read it: the reader is not in the tag.
        etag = caching.entity_tag(request.get_full_path(), representation.media_type, representation.profile)
        last_changed = caching.glossary_last_changed()
        last_modified = int(last_changed.timestamp()) if last_changed else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            file = glossary_file(options=ExportOptions(term=slug), file_format=representation.name)
            if representation.profile == JSON_LD_EXPANDED:
                # rdflib writes JSON-LD without a context in expanded form: every IRI in full, every value in a list.
                body = Graph().parse(data=file.body, format="json-ld").serialize(format="json-ld")
                content_type = f'{representation.media_type}; profile="{JSON_LD_EXPANDED}"'
            else:
                body, content_type = file.body, file.content_type
            response = HttpResponse(body, content_type=content_type)
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified)
        # Kept, but asked again each time (the ETag makes that cheap): with a Last-Modified and no
        # lifetime, a cache may otherwise guess one and serve a term that has since changed.
        patch_cache_control(response, no_cache=True)
        if not settings.GLOSSARY_PUBLIC_READ:
            patch_cache_control(response, private=True)
        return response

    def get_context_data(self, **kwargs):
        page, user = self.page, self.request.user
        return super().get_context_data(
            term=page,
            term_page=page,
            # Read every time: one small query. Cached, it saved 1 ms of the page at best, one copy
            # per term, each made stale by any proposal or sign-off anywhere (README, performance).
            open_proposals=proposal_selectors.open_proposals_for(page.pk) if user.is_authenticated else [],
            may_confirm_review=self.may_confirm_review(page),
            watch=self.watch,
            deliveries=Watch.Delivery.choices,
            **kwargs,
        )

    def may_confirm_review(self, page: SharedTermPage) -> bool:
        """Whether to offer "Confirm still accurate": to an approver whose department may, on a due term."""
        user = self.request.user
        if page.review_status not in (ReviewStatus.OVERDUE, ReviewStatus.DUE_SOON):
            return False
        if not (user.is_authenticated and user.department_id and user.has_perm(roles.SIGN_OFF)):
            return False
        return workflow.review_confirm_refusal(Term.objects.get(pk=page.pk), user) is None


class TermHistoryView(GlossaryReadMixin, TemplateView):
    template_name = "glossary/term_history.html"

    def get_context_data(self, **kwargs):
        # Versions only change with the glossary's state; rebuilding them was most of the page's time.
        found = caching.term_versions(kwargs["slug"], lambda: selectors.term_history_for_page(kwargs["slug"]))
        if found is None:
            raise Http404("No such term.")
        term, versions, departments = found
        by_id = {str(v.history_id): v for v in versions}
        # Default: the newest change against the one before it.
        newer = by_id.get(self.request.GET.get("to", ""), versions[0] if versions else None)
        older = by_id.get(self.request.GET.get("from", ""), versions[1] if len(versions) > 1 else None)
        if older and newer and older.date > newer.date:
            older, newer = newer, older
        changes = []
        if newer:
            changes = diff_entries(
                older.entry if older else None,
                newer.entry,
                departments,
                dict(Term.Status.choices),
            )
        return super().get_context_data(
            term=term,
            versions=versions,
            # Read every time (one query): confirmations are not versions, and few.
            review_confirmations=review_selectors.review_confirmations(term),
            older=older,
            newer=newer,
            changed_fields=[c for c in changes if c["changed"]],
            unchanged_fields=[c for c in changes if not c["changed"]],
            **kwargs,
        )
