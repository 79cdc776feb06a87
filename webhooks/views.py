"""Glossary admins' webhook pages: list, add, look at deliveries, test, pause, resume, re-key, delete."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from webhooks import payloads, selectors, services
from webhooks.forms import WebhookEndpointForm
from webhooks.models import WebhookEndpoint


class WebhookAdminMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_manage_webhooks(request.user):
            raise PermissionDenied("Only glossary admins manage webhooks.")
        return super().dispatch(request, *args, **kwargs)

    def endpoint(self) -> WebhookEndpoint:
        return get_object_or_404(WebhookEndpoint, pk=self.kwargs["pk"])


class EndpointListView(WebhookAdminMixin, TemplateView):
    template_name = "webhooks/endpoint_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(endpoints=selectors.webhook_endpoint_list(), **kwargs)


class EndpointAddView(WebhookAdminMixin, TemplateView):
    template_name = "webhooks/endpoint_form.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=WebhookEndpointForm()))

    def post(self, request, *args, **kwargs):
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = services.webhook_endpoint_register(
                    user=request.user,
                    url=form.cleaned_data["url"],
                    events_wanted=form.cleaned_data["events"],
                    endpoint_format=form.cleaned_data["format"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The secret is in this answer only: not in the session's messages, never shown again.
                return _detail(request, endpoint, secret=secret, status=201)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _detail(request, endpoint: WebhookEndpoint, *, secret: str = "", status: int = 200):
    view = EndpointDetailView(request=request, kwargs={"pk": endpoint.pk})
    context = view.get_context_data(secret=secret)
    return view.render_to_response(context, status=status)


class EndpointDetailView(WebhookAdminMixin, TemplateView):
    template_name = "webhooks/endpoint_detail.html"

    def get_context_data(self, **kwargs):
        endpoint = self.endpoint()
        return super().get_context_data(
            endpoint=endpoint,
            event_labels=[payloads.SUBSCRIBABLE.get(kind, kind) for kind in endpoint.events],
            deliveries=selectors.webhook_recent_deliveries(endpoint),
            recent_limit=selectors.RECENT_DELIVERIES,
            keep_days=settings.GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS,
            **kwargs,
        )


class EndpointTestView(WebhookAdminMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        endpoint = self.endpoint()
        services.webhook_test_send(endpoint=endpoint)
        messages.success(request, "A test event is queued; it appears below once the task worker sent it.")
        return redirect(endpoint)


class EndpointPauseView(WebhookAdminMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        endpoint = services.webhook_endpoint_pause(endpoint=self.endpoint(), user=request.user)
        messages.success(request, "Paused: events for this endpoint are kept and sent when you resume it.")
        return redirect(endpoint)


class EndpointResumeView(WebhookAdminMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        endpoint = services.webhook_endpoint_resume(endpoint=self.endpoint(), user=request.user)
        messages.success(request, "Resumed: events that waited are sent now, new ones as they happen.")
        return redirect(endpoint)


class EndpointDeleteView(WebhookAdminMixin, TemplateView):
    template_name = "webhooks/confirm.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            endpoint=self.endpoint(),
            title="Delete this endpoint?",
            question="It gets no more events, and its deliveries and their record are deleted with it. This cannot be undone.",
            confirm="Yes, delete it",
            **kwargs,
        )

    def post(self, request, pk):
        endpoint = self.endpoint()
        services.webhook_endpoint_delete(endpoint=endpoint, user=request.user)
        messages.success(request, f"Deleted the endpoint {endpoint.url}.")
        return redirect("webhooks:list")


class EndpointSecretView(WebhookAdminMixin, TemplateView):
    template_name = "webhooks/confirm.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            endpoint=self.endpoint(),
            title="Make a new secret?",
            question="Deliveries are signed with the new secret from now on: the receiver must be given it, or it "
            "will refuse them. The old secret stops working at once.",
            confirm="Yes, make a new secret",
            **kwargs,
        )

    def post(self, request, pk):
        endpoint = self.endpoint()
        secret = services.webhook_secret_regenerate(endpoint=endpoint, user=request.user)
        return _detail(request, endpoint, secret=secret)
