import string

from django import forms

from accounts.models import Department
from glossary.models import Tag, Term

LETTERS = list(string.ascii_uppercase) + ["#"]


class TermFilterForm(forms.Form):
    """The home page's search box and filters; every field is optional."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Term.Status.choices]
    )
    missing = forms.ModelChoiceField(
        label="Missing a definition from",
        required=False,
        queryset=Department.objects.filter(is_active=True),
        to_field_name="slug",
        empty_label="Any department",
    )
    tag = forms.ModelChoiceField(
        label="Tag", required=False, queryset=Tag.objects.all(), to_field_name="slug", empty_label="Any tag"
    )
    letter = forms.ChoiceField(
        label="Letter", required=False, choices=[("", "All")] + [(c, c) for c in LETTERS]
    )

    def clean_q(self):
        value = self.cleaned_data["q"]
        if "\x00" in value:
            raise forms.ValidationError("Search text cannot contain NUL characters.", code="invalid")
        return value.strip()

    def filters(self) -> dict:
        """The valid filters as keyword arguments for selectors.term_list; invalid ones are dropped."""
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q", ""),
            "status": data.get("status", ""),
            "missing_department": data.get("missing"),
            "tag": data.get("tag"),
            "letter": data.get("letter", ""),
        }
