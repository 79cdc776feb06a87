"""Log-in through the organisation's OpenID Connect provider (mozilla-django-oidc, completed).

mozilla-django-oidc runs the authorization code flow: state, nonce and PKCE kept in the session
and checked at the callback, the code exchanged for tokens. What it leaves out is added here:

- the provider's endpoints come from its discovery document (`OIDC_ISSUER` is all there is to
  configure), fetched with a short timeout and cached, so nobody waits on a provider that is down;
- the ID token is checked completely: signature against the provider's JWKS with an algorithm we
  allow, issuer, audience (and `azp` when there are several), expiry and issue time with
  `OIDC_CLOCK_SKEW_SECONDS` of leeway, and the nonce (the library skips the audience and issuer);
- accounts are found by issuer and `sub`, and the groups claim gives department and role at every
  log-in (accounts/identity.py);
- with `OIDC_LOCAL_LOGIN=break-glass-only`, passwords work only for `OIDC_BREAK_GLASS_USERS`.

What goes wrong is said for the log in the exceptions' messages: the step, the provider's host, its
HTTP status and OAuth `error` fields; never its page, nor a code, verifier, token or secret (the
library's own message for a failed code exchange holds the whole page, so the exchange is ours).
"""

import logging
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from requests.auth import HTTPBasicAuth

from accounts.backends import DepartmentAwareBackend
from accounts.identity import group_map_parse, user_sync_from_claims
from common.log_text import log_excerpt

logger = logging.getLogger(__name__)

# Only asymmetric signatures: with HS256 anyone holding the client secret could mint ID tokens.
ALLOWED_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}


class ProviderUnavailable(Exception):
    """The identity provider did not answer, or not with what OpenID Connect promises."""


class IdTokenRefused(SuspiciousOperation):
    """An ID token that is not from our provider, not for us, not for this log-in, or too old."""


class CodeRefused(SuspiciousOperation):
    """The provider would not exchange the code: used or expired (a stale tab, a replay), or the
    client's credentials are wrong."""


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def local_login_allowed(username: str | None) -> bool:
    """Whether this username may log in with a password (the break-glass rule)."""
    if not oidc_enabled() or settings.OIDC_LOCAL_LOGIN != "break-glass-only":
        return True
    return username in settings.OIDC_BREAK_GLASS_USERS


def _host(url: str) -> str:
    return urlsplit(url).netloc.rpartition("@")[2] or "?"


def _oauth_error(response: requests.Response, *, hide: Sequence[str | None]) -> str:
    """The OAuth `error` and `error_description` of an error answer (RFC 6749 5.2), or ""."""
    try:
        document = response.json()
    except ValueError:
        return ""
    if not isinstance(document, dict) or not isinstance(document.get("error"), str):
        return ""
    said = f"error={log_excerpt(document['error'], limit=60, hide=hide)}"
    if isinstance(document.get("error_description"), str):
        said += f", error_description={log_excerpt(document['error_description'], limit=200, hide=hide)}"
    return said


def _connection_problem(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return f"no answer within {settings.OIDC_TIMEOUT:g} s"
    if not isinstance(error, requests.ConnectionError):
        return f"the request failed ({type(error).__name__})"
    # The operating system's words (refused, no such host, certificate not trusted) are deep in
    # requests' and urllib3's wrappers, whose own messages repeat the address.
    cause = error
    for _ in range(10):
        inner = cause.__cause__ or next((arg for arg in cause.args if isinstance(arg, BaseException)), None)
        if inner is None:
            break
        cause = inner
    if isinstance(cause, OSError) and not type(cause).__module__.startswith(("urllib3", "requests")):
        return f"could not connect ({log_excerpt(cause.strerror or cause, limit=120)})"
    return "could not connect"


def _provider_request(step: str, method: str, url: str, **kwargs) -> requests.Response:
    try:
        return requests.request(method, url, timeout=settings.OIDC_TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise ProviderUnavailable(f"{step} at {_host(url)}: {_connection_problem(error)}") from error


def _json_answer(
    step: str, url: str, response: requests.Response, *, hide: Sequence[str | None] = (), objects_only: bool = True
):
    """The answer's JSON document (an object, unless `objects_only` is false), else ProviderUnavailable."""
    if not 200 <= response.status_code < 300:
        oauth_error = _oauth_error(response, hide=hide)
        raise ProviderUnavailable(
            f"{step} at {_host(url)} answered HTTP {response.status_code}{f', {oauth_error}' if oauth_error else ''}"
        )
    try:
        document = response.json()
    except ValueError:
        raise ProviderUnavailable(f"{step} at {_host(url)}: the answer is not JSON") from None
    if objects_only and not isinstance(document, dict):
        raise ProviderUnavailable(f"{step} at {_host(url)}: the answer is not a JSON object")
    return document


def _get_json(step: str, url: str) -> dict:
    response = _provider_request(step, "GET", url, headers={"Accept": "application/json"})
    return _json_answer(step, url, response)


def provider_metadata() -> dict:
    """The provider's discovery document, cached for OIDC_DISCOVERY_CACHE_SECONDS.

    A failure is not cached, so log-ins work again as soon as the provider is back.
    """
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = f"oidc-discovery:{issuer}"
    metadata = cache.get(key)
    if metadata is None:
        metadata = _get_json("discovery", f"{issuer}/.well-known/openid-configuration")
        # OpenID Connect Discovery 4.3: the document must name the issuer we asked, exactly;
        # otherwise another party could be speaking for it.
        named = metadata.get("issuer")
        if not isinstance(named, str) or named.rstrip("/") != issuer:
            raise ProviderUnavailable(
                f"discovery at {_host(issuer)} names issuer {log_excerpt(named, limit=100)!r}, expected {issuer!r}"
            )
        missing = [name for name in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not metadata.get(name)]
        if missing:
            raise ProviderUnavailable(f"discovery at {_host(issuer)}: the document lacks {', '.join(missing)}")
        cache.set(key, metadata, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    return metadata


def _signing_key(token: str, jwks: dict) -> tuple[jwt.PyJWK, str]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise IdTokenRefused(f"ID token is not a JWT: {error}") from error
    algorithm = header.get("alg")
    if algorithm not in settings.OIDC_SIGN_ALGORITHMS or algorithm not in ALLOWED_ALGORITHMS:
        raise IdTokenRefused(f"ID token signed with {log_excerpt(algorithm, limit=20)!r}, which is not allowed")
    candidates = [
        key
        for key in jwks.get("keys", [])
        if isinstance(key, dict)
        and key.get("use", "sig") == "sig"
        and key.get("alg", algorithm) == algorithm
        and (header.get("kid") is None or key.get("kid") == header.get("kid"))
    ]
    if len(candidates) != 1:
        raise IdTokenRefused("No single key of the provider's JWKS matches the ID token")
    try:
        return jwt.PyJWK(candidates[0], algorithm), algorithm
    except jwt.PyJWTError as error:
        raise IdTokenRefused(f"The provider's key cannot be used: {error}") from error


def id_token_verify(token: str, *, jwks: dict, issuer: str, client_id: str, nonce: str | None, leeway: int) -> dict:
    """The ID token's claims, if it is the provider's token for this client and this log-in."""
    if not isinstance(token, str) or not token:
        raise IdTokenRefused("The provider sent no ID token")
    key, algorithm = _signing_key(token, jwks)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=leeway,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.PyJWTError as error:
        raise IdTokenRefused(f"ID token refused: {error}") from error
    audience = claims["aud"]
    # OpenID Connect Core 3.1.3.7: a token for several audiences must name us as its authorized party.
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise IdTokenRefused("ID token has several audiences and another authorized party")
    # The nonce ties the token to the log-in this browser started (and is used up by it), so a
    # token caught from another log-in cannot be replayed into this one.
    if nonce is None or claims.get("nonce") != nonce:
        raise IdTokenRefused("ID token nonce does not match this log-in")
    return claims


def end_session_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser to end the provider's session too, if the provider says so."""
    if not oidc_enabled():
        return None
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
    except ProviderUnavailable as error:
        logger.warning("Identity provider unreachable at log-out (%s); only this site's session ended.", error)
        return None
    if not endpoint:
        return None
    params = {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


class BreakGlassPasswordGate(BaseBackend):
    """Refuses password log-ins of everyone but the break-glass users, when so configured.

    It sits before the password backend: Django stops at a backend that raises PermissionDenied,
    so the refusal also holds for the admin's log-in page, and axes counts it as a failure.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None and not local_login_allowed(username):
            raise PermissionDenied("Password log-in is limited to the break-glass accounts.")
        return None


class OidcBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with discovery, full ID-token checks and accounts by `sub`.

    Permissions are answered by DepartmentAwareBackend alone (which loads them with the user in
    one query); this backend only logs people in, so it adds no permission queries.
    """

    def __init__(self, *args, **kwargs):
        # The library reads endpoints from settings here; ours come from discovery, fetched only
        # when a log-in through the provider actually happens (not for every password log-in).
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    def get_settings(self, attr, *args):
        if attr == "OIDC_RP_SCOPES":
            return settings.OIDC_RP_SCOPES
        return import_from_settings(attr, *args)

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password log-in whose address happens to carry
        # `code` and `state` must not start a token exchange.
        if request is None or "nonce" not in kwargs or "password" in kwargs or not oidc_enabled():
            return None
        metadata = provider_metadata()
        self.issuer = metadata["issuer"]
        self.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = metadata.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = metadata["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        return super().authenticate(request, **kwargs)

    def get_token(self, payload):
        """The token endpoint's answer to the code (a dict), else ProviderUnavailable or CodeRefused."""
        hide = [payload.get("code"), payload.get("code_verifier"), payload.get("client_secret")]
        auth = None
        if settings.OIDC_TOKEN_USE_BASIC_AUTH:
            auth = HTTPBasicAuth(payload["client_id"], payload.pop("client_secret"))
        url = self.OIDC_OP_TOKEN_ENDPOINT
        # Not redirected: the code, verifier and secret go to the token endpoint and nowhere else.
        response = _provider_request(
            "token request",
            "POST",
            url,
            data=payload,
            auth=auth,
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
        oauth_error = _oauth_error(response, hide=hide) if response.status_code in (400, 401) else ""
        if oauth_error:
            raise CodeRefused(f"token request at {_host(url)} answered HTTP {response.status_code}, {oauth_error}")
        return _json_answer("token request", url, response, hide=hide)

    def verify_token(self, token, **kwargs):
        # Fetched at every log-in, so a key the provider rotated in is used at once.
        jwks = _get_json("JWKS", self.OIDC_OP_JWKS_ENDPOINT)
        return id_token_verify(
            token,
            jwks=jwks,
            issuer=self.issuer,
            client_id=self.OIDC_RP_CLIENT_ID,
            nonce=kwargs.get("nonce"),
            leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
        )

    def store_tokens(self, access_token, id_token):
        # The ID token is the hint the provider's end-session endpoint asks for at log-out.
        self.request.session["oidc_id_token"] = id_token

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo endpoint's claims (some providers send the groups only there), if any."""
        if not self.OIDC_OP_USER_ENDPOINT or not access_token:
            return {}
        url = self.OIDC_OP_USER_ENDPOINT
        response = _provider_request(
            "userinfo", "GET", url, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        )
        if response.ok and not response.headers.get("content-type", "").lower().startswith("application/json"):
            # A signed or encrypted userinfo response: the ID token's claims are used alone.
            return {}
        userinfo = _json_answer("userinfo", url, response, hide=[access_token], objects_only=False)
        return userinfo if isinstance(userinfo, dict) else {}

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: userinfo for another subject must not be used.
        if userinfo and userinfo.get("sub") != payload["sub"]:
            raise IdTokenRefused("Userinfo is about another subject than the ID token")
        claims = {**payload, **userinfo}
        user = user_sync_from_claims(
            issuer=self.issuer,
            claims=claims,
            groups_claim=settings.OIDC_GROUPS_CLAIM,
            group_map=group_map_parse(settings.OIDC_GROUP_MAP),
            provider_name=settings.OIDC_PROVIDER_NAME,
        )
        return user if user.is_active else None

    def get_user(self, user_id):
        return DepartmentAwareBackend().get_user(user_id)

    # Permissions are DepartmentAwareBackend's to answer.
    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        return self.UserModel._default_manager.none()
