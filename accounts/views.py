"""The *My API tokens* page: make, see and revoke one's own tokens."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from accounts import services
from accounts.forms import ApiTokenForm


class ApiTokensView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/api_tokens.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ApiTokenForm())
        return super().get_context_data(tokens=self.request.user.api_tokens.all(), **kwargs)

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
