"""The log-in and log-out pages, with the identity provider when one is configured.

Views only: the checks are in accounts/oidc.py, the account rules in accounts/identity.py.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.forms import LoginForm
from accounts.oidc import ProviderUnavailable, end_session_url, oidc_enabled, provider_metadata
from common.log_text import log_excerpt
from common.redirects import next_path

logger = logging.getLogger(__name__)


def _provider_down(request):
    messages.error(
        request,
        f"{settings.OIDC_PROVIDER_NAME} cannot be reached just now, so you cannot log in through it. "
        "Please try again in a few minutes.",
    )
    return redirect("login")


class LoginPageView(auth_views.LoginView):
    """Django's log-in page, offering the identity provider when one is configured."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        return next_path(self.request, fallback="")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME if oidc_enabled() else None
        context["break_glass_only"] = oidc_enabled() and settings.OIDC_LOCAL_LOGIN == "break-glass-only"
        return context


class OidcLoginStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with state, nonce and a PKCE challenge kept in the session."""

    def __init__(self, **kwargs):
        # The library reads the authorization endpoint from settings here; ours is discovered in get().
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request):
        if not oidc_enabled():
            raise Http404("No identity provider is configured.")
        try:
            metadata = provider_metadata()
        except ProviderUnavailable as error:
            logger.warning("Log-in through the identity provider could not start: %s", error)
            return _provider_down(request)
        self.OIDC_OP_AUTH_ENDPOINT = metadata["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response = super().get(request)
        # Where the callback sends the browser once logged in: the same rule as the log-in form's.
        request.session["oidc_login_next"] = next_path(request, fallback="") or None
        return response


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks state and exchanges the code."""

    @property
    def failure_url(self):
        return resolve_url("login")

    def login_failure(self):
        messages.error(
            self.request,
            f"Your log-in through {settings.OIDC_PROVIDER_NAME} could not be completed. Please try again.",
        )
        return super().login_failure()

    def get(self, request):
        if not oidc_enabled():
            raise Http404("No identity provider is configured.")
        if request.GET.get("error"):
            # The provider's answer in its own words (RFC 6749 4.1.2.1), which it may fill with
            # anything, even the state it was sent.
            hide = [request.GET.get("state")]
            logger.warning(
                "Log-in through the identity provider refused by the provider: error=%s, error_description=%s",
                log_excerpt(request.GET["error"], limit=60, hide=hide),
                log_excerpt(request.GET.get("error_description", ""), limit=200, hide=hide),
            )
        try:
            return super().get(request)
        except ProviderUnavailable as error:
            logger.warning("Log-in through the identity provider failed at the callback: %s", error)
            return _provider_down(request)
        except SuspiciousOperation as error:
            # A forged or replayed answer, or a stale tab: said plainly, logged for the admins.
            logger.warning("Log-in through the identity provider refused: %s", error)
            return self.login_failure()


class ProviderLogoutView(auth_views.LogoutView):
    """Logs out here, then (if the person came through the provider) ends the provider's session too."""

    def get_redirect_url(self):
        return next_path(self.request, fallback="")

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if id_token:
            after = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
            url = end_session_url(id_token, after)
            if url:
                return HttpResponseRedirect(url)
        return response
