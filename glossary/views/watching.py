"""Watch and unwatch (small POST forms on term, tag and home pages), *My watches*, and the signed
unsubscribe link of every watcher's mail."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from common.redirects import next_path
from glossary.models import Tag, Term, Watch
from glossary.selectors import watching as selectors
from glossary.services import watching as services


def _named(model, slug: str):
    """The term or tag the form names by its address, or None when it names none; 404 for an
    address that is no such thing (checked first: PostgreSQL refuses some characters even in a query)."""
    if not slug:
        return None
    if not slug_re.fullmatch(slug):
        raise Http404(f"No such {model._meta.verbose_name}.")
    return get_object_or_404(model, slug=slug)


class MyWatchesView(LoginRequiredMixin, TemplateView):
    """GET lists the user's watches; POST watches a term (`term`=slug), a tag (`tag`=slug) or the
    whole glossary (neither), or changes how an existing watch delivers."""

    template_name = "glossary/my_watches.html"

    def get_context_data(self, **kwargs):
        watches = list(selectors.watches_of(self.request.user))
        return super().get_context_data(
            watches=[w for w in watches if w.target != Watch.Target.GLOSSARY],
            glossary_watch=next((w for w in watches if w.target == Watch.Target.GLOSSARY), None),
            deliveries=Watch.Delivery.choices,
            **kwargs,
        )

    def post(self, request):
        term = _named(Term, request.POST.get("term", ""))
        tag = _named(Tag, request.POST.get("tag", ""))
        try:
            watch = services.watch_set(user=request.user, delivery=request.POST.get("delivery", ""), term=term, tag=tag)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"You watch {watch.describe()}: {watch.get_delivery_display().lower()}.")
        return redirect(next_path(request, fallback=term.get_absolute_url() if term else "glossary:my_watches"))


class WatchRemoveView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            watch = services.watch_remove(user=request.user, watch_id=pk)
        except Watch.DoesNotExist:
            raise Http404("You have no such watch.") from None
        messages.success(request, f"You no longer watch {watch.describe()}.")
        return redirect(next_path(request, fallback="glossary:my_watches"))


# The signed link is the proof, not a session: a mail program's one-click unsubscribe (RFC 8058)
# POSTs to it without any cookie or CSRF token.
@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(TemplateView):
    """GET shows what the link stops and a button (mail scanners follow links); POST stops it."""

    template_name = "glossary/unsubscribe.html"

    def get(self, request, token):
        try:
            watches = selectors.unsubscribe_link_watches(token)
        except selectors.BadUnsubscribeLink:
            return self.render_to_response({"bad_link": True}, status=400)
        return self.render_to_response({"watches": watches, "token": token})

    def post(self, request, token):
        try:
            removed = services.unsubscribe(token=token)
        except selectors.BadUnsubscribeLink:
            return self.render_to_response({"bad_link": True}, status=400)
        return self.render_to_response({"removed": removed, "done": True})
