"""Admin plumbing shared by every app: each change made in the admin says why it was made."""

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model


def reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason for this change",
        max_length=100,
        help_text="Kept in the version history next to your name.",
    )


class ChangeReasonForm(forms.ModelForm):
    change_reason = reason_field()


class HistoryWithReasonAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose forms ask for a reason and whose history pages are read-only.

    Restoring an old version is a change like any other, so it goes through the app's own
    workflow rather than the admin's revert button.
    """

    form = ChangeReasonForm

    def change_reason(self, form) -> str:
        return form.cleaned_data.get("change_reason", "")

    def save_model(self, request, obj, form, change):
        obj._change_reason = self.change_reason(form)
        try:
            super().save_model(request, obj, form, change)
        finally:
            del obj._change_reason

    def history_view(self, request, object_id, extra_context=None):
        require_key(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Restore earlier versions from the term's history page.")
        require_key(self.model, object_id)
        require_key(get_history_model_for_model(self.model), version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def require_key(model, value: str) -> None:
    """404 unless `value`, from the address, can be a primary key of `model`.

    simple_history looks ids up as they come, and an id that is not a number ("password", where a
    relative link of the user form leads from an old version) fails in the database instead.
    """
    try:
        model._meta.pk.to_python(unquote(value))
    except ValidationError:
        raise Http404(f"There is no {model._meta.verbose_name} “{value[:40]}”.") from None
