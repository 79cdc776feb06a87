"""Pages of the sign-off workflow. Each view parses the request, calls a service, renders.

Permission decisions come from glossary.workflow: a forbidden action raises PermissionDenied (403)
in the service whatever the page showed.
"""

from dataclasses import dataclass, replace

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.views import View
from django.views.generic import TemplateView

from glossary import caching, workflow
from glossary.entries import Entry, diff_entries
from glossary.forms.proposals import DecisionForm, DeprecateForm, ProposalForm
from glossary.models import Proposal, Term
from glossary.selectors import proposals as selectors
from glossary.selectors.terms import department_columns, term_version
from glossary.services import proposals as services
from glossary.views import page_number
from glossary.workflow import Action

STATUS_LABELS = dict(Term.Status.choices)


class ProposeMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not workflow.can_propose(request.user):
            raise PermissionDenied("Only members of a department with the contributor role can propose.")
        return super().dispatch(request, *args, **kwargs)


class ProposalFormView(ProposeMixin, TemplateView):
    """Propose a new term, a change to a term, or restoring one of its versions."""

    template_name = "glossary/proposal_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.term = get_object_or_404(Term, slug=kwargs["slug"]) if "slug" in kwargs else None
        self.restoring = None
        if self.term is not None and "version" in kwargs:
            self.restoring = term_version(self.term, kwargs["version"])
            if self.restoring is None:
                raise Http404("No such version.")

    def starting_entry(self) -> Entry | None:
        if self.restoring is not None:
            # A restore brings back content; when to review it next is today's question, not the old version's.
            return replace(self.restoring.entry, review_by=self.term.review_by)
        return Entry.from_term(self.term) if self.term else None

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        return ProposalForm(data, departments=department_columns(), term=self.term, entry=self.starting_entry())

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            kind = Proposal.Kind.RESTORE if self.restoring else None
            try:
                proposal = services.proposal_create(
                    author=request.user,
                    reason=form.cleaned_data["reason"],
                    entry=form.entry(),
                    term=self.term,
                    kind=kind,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, "Your proposal is open for review. Each department's approvers have been told."
                )
                return redirect(proposal)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(term=self.term, restoring=self.restoring, **kwargs)


class DeprecateView(ProposeMixin, TemplateView):
    template_name = "glossary/deprecate_form.html"

    def post(self, request, slug):
        term = get_object_or_404(Term, slug=slug)
        form = DeprecateForm(request.POST)
        if form.is_valid():
            entry = replace(Entry.from_term(term), status=Term.Status.DEPRECATED)
            try:
                proposal = services.proposal_create(
                    author=request.user,
                    reason=form.cleaned_data["reason"],
                    entry=entry,
                    term=term,
                    kind=Proposal.Kind.DEPRECATE,
                    replaced_by=form.cleaned_data["replaced_by"],
                )
            except ValidationError as error:
                # The reason and the replacement are the fields here; anything else is about the term as it stands.
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(
                    request, "Deprecation proposed. The term stays as it is until every department approves."
                )
                return redirect(proposal)
        return self.render_to_response(self.get_context_data(term=term, form=form), status=400)

    def get(self, request, slug):
        term = get_object_or_404(Term, slug=slug)
        return self.render_to_response(self.get_context_data(term=term, form=DeprecateForm()))


def _proposal(pk) -> Proposal:
    return get_object_or_404(Proposal.objects.select_related("author", "author__department", "term"), pk=pk)


class ProposalDetailView(LoginRequiredMixin, TemplateView):
    template_name = "glossary/proposal_detail.html"

    def get_context_data(self, **kwargs):
        proposal = kwargs.get("proposal") or selectors.proposal_for_page(self.kwargs["pk"])
        user = self.request.user
        term = proposal.term
        # The term as it stands changes only with the glossary's state: read it from the cache.
        departments, current = caching.current_entry(
            term.pk if term else None,
            lambda: (department_columns(), Entry.from_term(term) if term else None),
        )
        changed_meanwhile = []
        if term and proposal.is_open and term.version != proposal.base_version:
            base = term_version(term, proposal.base_version)
            if base:
                changed_meanwhile = [
                    c for c in diff_entries(base.entry, current, departments, STATUS_LABELS) if c["changed"]
                ]
        changes = diff_entries(current, Entry.from_proposal(proposal), departments, STATUS_LABELS)
        actions = workflow.allowed_actions(proposal, user)
        decision_form = kwargs.get("decision_form") or DecisionForm(initial={"revision": proposal.revision})
        context = {
            "proposal": proposal,
            "term": term,
            "changed_fields": [c for c in changes if c["changed"]],
            "unchanged_fields": [c for c in changes if not c["changed"]],
            "changed_meanwhile": changed_meanwhile,
            "department_status": selectors.department_status(proposal, departments),
            "thread": selectors.proposal_thread(proposal),
            "actions": actions,
            "sign_off_actions": [a for a in actions if a in workflow.SIGN_OFF_ACTIONS],
            "decision_note": workflow.decision_note(proposal, user),
            "decision_form": decision_form.offer(actions),
        }
        return super().get_context_data(**context)


class ProposalEditView(LoginRequiredMixin, TemplateView):
    template_name = "glossary/proposal_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.proposal = _proposal(kwargs["pk"])
        workflow.require(Action.EDIT, self.proposal, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        data = self.request.POST if self.request.method == "POST" else None
        form = ProposalForm(
            data, departments=department_columns(), term=self.proposal.term, entry=Entry.from_proposal(self.proposal)
        )
        form.fields["reason"].initial = self.proposal.reason
        return form

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        revision = _int(request.POST.get("revision"))
        if form.is_valid():
            try:
                services.proposal_update(
                    proposal=self.proposal,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    entry=form.entry(status=self.proposal.proposed_status),
                    seen_revision=revision,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except services.WorkflowConflict as conflict:
                messages.error(request, str(conflict))
                return redirect(self.proposal)
            else:
                messages.success(request, "Saved as a new revision. Every department reviews it again.")
                return redirect(self.proposal)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(proposal=self.proposal, term=self.proposal.term, **kwargs)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# The service that takes each action this endpoint offers; editing has its own page (ProposalEditView).
ACTION_SERVICES = {
    Action.APPROVE: services.proposal_approve,
    Action.REQUEST_CHANGES: services.proposal_request_changes,
    Action.REJECT: services.proposal_reject,
    Action.COMMENT: services.proposal_comment,
    Action.WITHDRAW: services.proposal_withdraw,
    Action.REBASE: services.proposal_rebase,
}


class ProposalActionView(LoginRequiredMixin, View):
    """POST-only endpoint for one workflow action on a proposal."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        try:
            action = Action(action)
        except ValueError:
            raise Http404("No such action.") from None
        proposal = _proposal(pk)
        if action not in ACTION_SERVICES:
            raise Http404("Use the edit page to edit.")
        # Refused before the form is read: a forbidden action is a 403 whatever was written.
        workflow.require(action, proposal, request.user)
        form = DecisionForm(request.POST, action=action) if action in workflow.DECISION_ACTIONS else None
        if form is not None and not form.is_valid():
            return self._invalid(request, proposal, form)
        try:
            ACTION_SERVICES[action](proposal=proposal, user=request.user, **(form.service_arguments() if form else {}))
        except ValidationError as error:
            form.add_error("comment", error.messages)
            return self._invalid(request, proposal, form)
        except services.WorkflowConflict as conflict:
            messages.error(request, str(conflict))
            return redirect(proposal)
        proposal.refresh_from_db()
        messages.success(request, _outcome(action, proposal))
        return redirect(proposal)

    def _invalid(self, request, proposal, form: DecisionForm):
        view = ProposalDetailView(request=request, kwargs={"pk": proposal.pk})
        return view.render_to_response(view.get_context_data(decision_form=form), status=400)


def _outcome(action: Action, proposal: Proposal) -> str:
    if proposal.state == Proposal.State.PUBLISHED:
        return "Every department has approved: the change is published."
    if proposal.state == Proposal.State.OUT_OF_DATE:
        return "The term changed since this was proposed, so it was not published. The author can update it."
    return {
        Action.APPROVE: "Approved for your department.",
        Action.REQUEST_CHANGES: "Sent back to the author with your comment.",
        Action.REJECT: "Rejected. The term is unchanged.",
        Action.COMMENT: "Comment added.",
        Action.WITHDRAW: "Withdrawn. The term is unchanged.",
        Action.REBASE: "Updated onto the current version and back in review.",
    }[action]


@dataclass(frozen=True)
class ProposalListing:
    """One page of a proposal list, rendered; `count` is the number of proposals in the list."""

    count: int
    html: str


class ProposalListView(LoginRequiredMixin, TemplateView):
    """A page of the user's own list of proposals, rendered once while the workflow's state holds."""

    template_name = "glossary/proposal_list.html"
    title = empty = list_name = ""

    def proposals(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        user = self.request.user
        number = page_number(self.request.GET.get("page"))

        def render() -> ProposalListing:
            page = Paginator(self.proposals(), 25).get_page(number)
            html = render_to_string("glossary/_proposal_table.html", {"page": page}) if page.object_list else ""
            return ProposalListing(count=page.paginator.count, html=html)

        # Who sees what depends on the user's department and role: the part depends on the user.
        listing = caching.proposal_list(user, self.list_name, number, render)
        return super().get_context_data(title=self.title, empty=self.empty, listing=listing, **kwargs)


class SignOffQueueView(ProposalListView):
    title = "Needs my sign-off"
    empty = "Nothing is waiting for your department's sign-off."
    list_name = "sign-off-queue"

    def proposals(self):
        return selectors.sign_off_queue(self.request.user)


class MyProposalsView(ProposalListView):
    title = "My proposals"
    empty = "You have not proposed anything yet."
    list_name = "my-proposals"

    def proposals(self):
        return selectors.my_proposals(self.request.user)
