from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.forms.models import BaseInlineFormSet

from accounts.models import Department
from common.admin_history import HistoryWithReasonAdmin
from glossary.entries import CONTENT, Kind
from glossary.models import (
    ApproverReminder,
    Comment,
    Definition,
    Proposal,
    ReviewConfirmation,
    SignOff,
    Tag,
    Term,
    Watch,
    WatchNotice,
)
from glossary.services.terms import save_with_history, term_record_direct_edit


class ViewOnly:
    """An admin that shows rows and never adds, changes or deletes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ViewOnly, HistoryWithReasonAdmin):
    """The workflow's records: visible in the admin, changed only through the workflow's pages."""


def departments_without_definition(term):
    defined = set(term.definitions.values_list("department_id", flat=True)) if term and term.pk else set()
    return [d for d in Department.objects.filter(is_active=True) if d.pk not in defined]


class DefinitionFormSet(BaseInlineFormSet):
    """Refuses, next to the slot, a new definition for a department the term has meanwhile got.

    The form offers an empty slot per department missing a definition; a stale second tab or a
    double click sends that slot again after the first submission filled it, and the database's
    one-definition-per-department constraint would fail the save (a 500). TermAdmin holds the
    term's row lock while this runs, so of two simultaneous submissions the second is checked
    after the first has committed.
    """

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        taken = set(Definition.objects.filter(term=self.instance).values_list("department_id", flat=True))
        for form in self.forms:
            if form.instance.pk is not None or not form.has_changed() or self._should_delete_form(form):
                continue
            department = form.cleaned_data.get("department")
            if department is not None and department.pk in taken:
                form.add_error(
                    "department",
                    f"{department} already has a definition on this term — someone added it meanwhile; "
                    "reload the page to edit it.",
                )


class DefinitionInline(admin.StackedInline):
    model = Definition
    formset = DefinitionFormSet
    fields = ["department", "text"]

    def get_extra(self, request, obj=None, **kwargs):
        # One empty slot per department still missing a definition, already labelled with it.
        return len(departments_without_definition(obj))


@admin.register(Term)
class TermAdmin(HistoryWithReasonAdmin):
    inlines = [DefinitionInline]
    list_display = ["name", "abbreviation", "status", "updated_at"]
    list_filter = ["status", "tags"]
    search_fields = ["name", "abbreviation", "synonyms"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    filter_horizontal = ["tags", "related_terms"]
    # The declared content in page order (definitions have their inline), the address after the name.
    fields = [
        "name",
        "slug",
        *(f.name for f in CONTENT if f.name != "name" and f.kind != Kind.DEFINITIONS),
        "created_at",
        "updated_at",
        "change_reason",
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            # Locked before the form is checked, until the save commits: two submissions of one
            # form are checked one after the other, the second seeing what the first wrote.
            term = self.get_object(request, unquote(object_id))
            if term is not None:
                Term.objects.select_for_update().filter(pk=term.pk).first()
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, DefinitionInline) and request.method == "GET":
            kwargs["initial"] = [{"department": d.pk} for d in departments_without_definition(obj)]
        return kwargs

    # A term's version is written once, after its definitions, tags and related terms are saved
    # (save_related), so that the version shows the whole entry as it now stands.
    def save_model(self, request, obj, form, change):
        obj.skip_history_when_saving = True
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = self.change_reason(form)
        for definition in formset.save(commit=False):
            save_with_history(definition, user=request.user, reason=reason)
        for definition in formset.deleted_objects:
            save_with_history(definition, user=request.user, reason=reason, delete=True)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        del form.instance.skip_history_when_saving
        term_record_direct_edit(term=form.instance, user=request.user, reason=self.change_reason(form))

    def has_delete_permission(self, request, obj=None):
        # Nothing leaves the glossary for good: deprecate a term instead.
        return False


@admin.register(Definition)
class DefinitionAdmin(ReadOnlyAdmin):
    """Read-only list: definitions are edited on their term, so the term's version includes them."""

    list_display = ["term", "department"]
    list_filter = ["department"]
    search_fields = ["term__name", "text"]


@admin.register(ReviewConfirmation)
class ReviewConfirmationAdmin(ReadOnlyAdmin):
    """Read-only: confirmations are made on the Due for review list and term pages."""

    list_display = ["term", "department", "confirmed_by", "confirmed_at", "review_by"]
    list_filter = ["department"]
    search_fields = ["term__name"]


@admin.register(Tag)
class TagAdmin(HistoryWithReasonAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["pk", "name", "kind", "state", "author", "revision", "updated_at"]
    list_filter = ["state", "kind"]
    search_fields = ["name", "reason"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "revision", "department", "approver", "decision", "created_at"]
    list_filter = ["decision", "department"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "author", "created_at"]


class SentRecordAdmin(ViewOnly, admin.ModelAdmin):
    """Who watches what and what was sent, for answering "why did I (not) get this e-mail";
    people change their watches on *My watches*, and the tick writes the rest."""


@admin.register(Watch)
class WatchAdmin(SentRecordAdmin):
    list_display = ["user", "target", "term", "tag", "delivery", "created_at"]
    list_filter = ["target", "delivery"]
    search_fields = ["user__username", "term__name", "tag__name"]
    list_select_related = ["user", "term", "tag"]


@admin.register(WatchNotice)
class WatchNoticeAdmin(SentRecordAdmin):
    list_display = ["headline", "user", "kind", "delivery", "created_at", "sent_at"]
    list_filter = ["kind", "delivery", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "headline"]
    list_select_related = ["user"]


@admin.register(ApproverReminder)
class ApproverReminderAdmin(SentRecordAdmin):
    list_display = ["proposal", "revision", "department", "period", "recipients", "created_at"]
    list_filter = ["department"]
    list_select_related = ["proposal", "department"]
