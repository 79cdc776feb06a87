"""Who is calling the API, and whether they may read or write.

Two ways in, as the same person with the same role and department: a personal API token
(`Authorization: Bearer cg_…`, made on the *My API tokens* page), or the browser session, with
Django's CSRF check on anything that writes. Reading is also open to anyone when
GLOSSARY_PUBLIC_READ opens the glossary. A token sent but not valid is refused outright (401), even
where reading is open, so that a broken script hears of it; and after API_TOKEN_FAILURE_LIMIT bad
tokens from one address within API_TOKEN_FAILURE_WINDOW seconds, that address is refused (429)
until the window has passed, by every app server alike (`common.limits`).
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from accounts.services import api_token_user
from common.client_address import client_address
from common.limits import Limit


class TooManyFailures(HttpError):
    def __init__(self, *, retry_after: int):
        super().__init__(429, "Too many calls with a token that is not valid from this address; wait and try again.")
        self.retry_after = retry_after


class TokenAuth(HttpBearer):
    """A personal API token. `write` refuses read-only tokens (403, saying so)."""

    def __init__(self, *, write: bool):
        self.write = write
        super().__init__()

    def __call__(self, request):
        # django-ninja's own reading logs an Authorization header of another scheme ("Token cg_…",
        # "Basic …") whole, at ERROR, in development mode; such a header is simply not a token here.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token):
        # Asked twice in a call (the ETag check, then the call): counted and looked up once.
        if not hasattr(request, "_api_token_answer"):
            try:
                request._api_token_answer = _token_user(request, token)
            except HttpError as refusal:
                request._api_token_answer = refusal
        if isinstance(request._api_token_answer, HttpError):
            raise request._api_token_answer
        user, api_token = request._api_token_answer
        if self.write and api_token.read_only:
            raise AuthorizationError(
                403,
                "This token is read-only: make one without “Read-only” to propose, sign off or change your watches.",
            )
        request.user = user
        request.api_token = api_token
        return user


def token_failures() -> Limit:
    return Limit("api-token-failures", limit=settings.API_TOKEN_FAILURE_LIMIT, window=settings.API_TOKEN_FAILURE_WINDOW)


def _token_user(request, secret: str):
    failures, client = token_failures(), client_address(request)
    if failures.reached(client):
        raise TooManyFailures(retry_after=failures.seconds_left())
    found = api_token_user(secret)
    if found is None:
        failures.count(client)
        raise AuthenticationError(
            401, "The API token is not valid: it may be mistyped, revoked, or its user deactivated."
        )
    return found


class ReadSession(SessionAuth):
    """The signed-in user, or anyone when the glossary is open to everyone."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None and settings.GLOSSARY_PUBLIC_READ:
            return AnonymousUser()  # truthy: the call goes on, as nobody in particular
        return user


# The token first: a request carrying one is about that token, whatever its cookies say.
READ = [TokenAuth(write=False), ReadSession()]
SIGNED_IN = [TokenAuth(write=False), SessionAuth()]
WRITE = [TokenAuth(write=True), SessionAuth()]


def may_read(request) -> bool:
    """Whether a read will be let through, asked before the call runs (by the ETag check, which must
    not tell a stranger that nothing has changed). Refusals are left for the call to give."""
    for auth in READ:
        try:
            if auth(request):
                return True
        except HttpError:
            return False
    return False
