"""The *My API tokens* page: make, see and revoke one's own API tokens and feed token."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from accounts import services
from accounts.forms import ApiTokenForm


class ApiTokensView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/api_tokens.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ApiTokenForm())
        return super().get_context_data(
            tokens=self.request.user.api_tokens.all(),
            feed_tokens=self.request.user.feed_tokens.all(),
            feed_needs_token=not settings.GLOSSARY_PUBLIC_READ,
            **kwargs,
        )

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        token, secret = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], read_only=form.cleaned_data["read_only"]
        )
        # Shown in this answer only, never kept: not in the session's messages, not in the database.
        return self.render_to_response(self.get_context_data(new_token=token, secret=secret), status=201)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        token = services.api_token_revoke(user=request.user, token_id=pk)
        messages.success(request, f"Revoked “{token.name}”. Calls with it are refused from now on.")
        return redirect("api_tokens")


class FeedTokenCreateView(LoginRequiredMixin, View):
    """Make the user's feed token (replacing the one they had) and show its feed address once."""

    http_method_names = ["post"]

    def post(self, request):
        token, secret = services.feed_token_create(user=request.user)
        feed_url = request.build_absolute_uri(reverse("glossary:feed_changes")) + f"?token={secret}"
        view = ApiTokensView(request=request, args=(), kwargs={})
        # Shown in this answer only, never kept.
        return view.render_to_response(view.get_context_data(new_feed_token=token, feed_url=feed_url), status=201)


class FeedTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        services.feed_token_revoke(user=request.user, token_id=pk)
        messages.success(request, "Revoked your feed token. Feed readers using its address get nothing from now on.")
        return redirect("api_tokens")
