"""The site's own middleware, listed in `MIDDLEWARE` (config/settings.py): the Content-Security-Policy
header, the admin's guard against queries no admin page can use, and `private` caching for
signed-in users."""

from django.conf import settings
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import SESSION_KEY
from django.db import DatabaseError
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy header (Django 5.2 has no built-in one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class PrivateForSignedInUsersMiddleware:
    """Mark every response to a signed-in user `Cache-Control: private`.

    A signed-in page carries the user's name, queue and drafts; a shared cache (a company proxy, a
    CDN) must never hand it to someone else. Stricter directives a view set (`no-store`) are kept,
    and a `public` one is dropped.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The session says who is signed in; asking request.user would load the user (a query) on
        # responses that never needed them.
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            patch_cache_control(response, private=True)
        return response


class AdminQueryGuardMiddleware:
    """Answer 400, saying why, to an admin address whose query no admin page can use.

    Django's admin hands filter and search values to the database as they come, so a NUL
    character (`?state__exact=%00`) reaches PostgreSQL, which refuses it with an error (a 500);
    its date hierarchy computes the next period from the year asked for, failing past 9998; and
    SQLite refuses a search pattern of more than 50,000 bytes and an integer beyond 64 bits.
    Checked here, once for the admin's whole address space, every registered admin is covered,
    third-party ones included (auth, django-axes, django-tasks, simple history), and every admin
    page that reads the query (lists, autocomplete, history pages). The
    alternative, the admin's own "invalid filter" redirect (?e=1), needs a hook in each admin's
    changelist, which the third-party admins do not offer. No link the admin draws carries these
    values, so a plain refusal loses nothing a person could have meant.
    """

    DATE_PARTS = {"__year": (1, 9998), "__month": (1, 12), "__day": (1, 31)}
    # No filter or search needs more; 10,000 characters stay within SQLite's pattern limit.
    MAX_VALUE = 10_000
    # The largest id or count a database column holds (a signed 64-bit integer).
    MAX_INTEGER = 2**63 - 1

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            # Read on the first request: the URLconf is not loaded while middleware is built.
            self.prefix = reverse("admin:index")
        if request.path.startswith(self.prefix):
            problem = self.problem(request.GET)
            if problem:
                return HttpResponseBadRequest(
                    f"This admin address cannot be used: {problem}. Remove it from the address and try again.\n",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)

    def process_exception(self, request, exception):
        """The admin also takes any lookup on a model's own fields (`?name__regex=(`,
        `?name__unaccent=x` without that extension, `?updated_at__year__gt=99999`), which the
        database or Python then refuses, or that this database cannot run at all (trigram
        similarity on SQLite). On an admin page read with a query, the query is at fault."""
        if not (request.method == "GET" and request.GET and self.prefix and request.path.startswith(self.prefix)):
            return None
        if not isinstance(exception, (DatabaseError, ValueError, OverflowError, NotImplementedError)):
            return None
        names = ", ".join(f"“{name[:40]}”" for name in request.GET)
        return HttpResponseBadRequest(
            f"This admin page cannot be read with {names} as given. Remove it from the address and try again.\n",
            content_type="text/plain; charset=utf-8",
        )

    def problem(self, query) -> str | None:
        for name, values in query.lists():
            shown = name if len(name) <= 40 else name[:40] + "…"
            if "\x00" in name or any("\x00" in value for value in values):
                return f"the query parameter “{shown.replace(chr(0), '%00')}” holds a NUL character (%00)"
            if any(len(value) > self.MAX_VALUE for value in values):
                return f"the query parameter “{shown}” is longer than {self.MAX_VALUE:,} characters"
            for suffix, (low, high) in self.DATE_PARTS.items():
                if name.endswith(suffix) and any(not self.within(value, low, high) for value in values):
                    return f"“{shown}” must be a number from {low} to {high}"
            # A search is text, where a long run of digits is fine; a filter's number must fit a column.
            if name != SEARCH_VAR and any(self.too_large(item) for value in values for item in value.split(",")):
                return f"the query parameter “{shown}” holds a number larger than any database holds"
        return None

    @staticmethod
    def within(value: str, low: int, high: int) -> bool:
        try:
            number = int(value)
        except ValueError:
            # Not a number: the admin's own check answers that, with its "invalid filter" page.
            return True
        return low <= number <= high

    @classmethod
    def too_large(cls, value: str) -> bool:
        digits = value.strip().lstrip("+-")
        # Checked by length first: int() refuses more than 4,300 digits.
        return digits.isdecimal() and (len(digits) > 19 or int(digits) > cls.MAX_INTEGER)
