"""The term list's filters."""

import string

from django import forms

from glossary.models import Term

LETTERS = list(string.ascii_uppercase) + ["#"]


class TermFilterForm(forms.Form):
    """The home page's search box and filters; every field is optional.

    Departments and tags are passed in as lists the page already has, so rendering the form costs
    no queries of its own.
    """

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Term.Status.choices])
    missing = forms.ChoiceField(label="Missing a definition from", required=False)
    tag = forms.ChoiceField(label="Tag", required=False)
    letter = forms.ChoiceField(label="Letter", required=False, choices=[("", "All")] + [(c, c) for c in LETTERS])

    def __init__(self, *args, departments, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {d.slug: d for d in departments}
        self.tags = {t.slug: t for t in tags}
        self.fields["missing"].choices = [("", "Any department")] + [(d.slug, d.name) for d in departments]
        self.fields["tag"].choices = [("", "Any tag")] + [(t.slug, t.name) for t in tags]

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
            "missing_department": self.departments.get(data.get("missing", "")),
            "tag": self.tags.get(data.get("tag", "")),
            "letter": data.get("letter", ""),
        }
