"""The Due for review list and the approver's "Confirm still accurate"."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from common.redirects import next_path
from glossary import workflow
from glossary.forms.review import ReviewFilterForm
from glossary.models import Term
from glossary.selectors import review as selectors
from glossary.selectors.terms import department_columns, tag_choices
from glossary.services.review import term_confirm_review
from glossary.views import page_number


class DueForReviewView(LoginRequiredMixin, TemplateView):
    template_name = "glossary/review_due.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        form = ReviewFilterForm(self.request.GET or None, departments=department_columns(), tags=tag_choices())
        filters = form.filters()
        page = Paginator(selectors.terms_due_for_review(today=today, **filters), settings.GLOSSARY_PAGE_SIZE).get_page(
            page_number(self.request.GET.get("page"))
        )
        user = self.request.user
        rows = [
            {
                "term": term,
                "status": term.review_status(today),
                "may_confirm": workflow.review_confirm_refusal(term, user) is None,
            }
            for term in page.object_list
        ]
        valid = {
            "department": filters["department"].slug if filters["department"] else "",
            "tag": filters["tag"].slug if filters["tag"] else "",
            "overdue": "on" if filters["overdue_only"] else "",
        }
        return super().get_context_data(
            form=form,
            page=page,
            rows=rows,
            today=today,
            warning_days=settings.GLOSSARY_REVIEW_WARNING_DAYS,
            filtered=any(valid.values()),
            page_query=urlencode({k: v for k, v in valid.items() if v}),
            **kwargs,
        )


class ReviewConfirmView(LoginRequiredMixin, View):
    """POST only: the approver's department confirms the term; a refusal by the workflow is a 403."""

    def post(self, request, slug):
        term = get_object_or_404(Term, slug=slug)
        try:
            confirmation = term_confirm_review(term=term, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Confirmed “{term.name}” for {confirmation.department}: next review by "
                f"{confirmation.review_by:%-d %B %Y}.",
            )
        return redirect(next_path(request, fallback=term.get_absolute_url()))
