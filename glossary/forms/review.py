"""The review-dates list's filters."""

from django import forms


class ReviewFilterForm(forms.Form):
    """The Due for review list's filters; every field is optional, and an unknown value is ignored."""

    department = forms.ChoiceField(label="Defined by", required=False)
    tag = forms.ChoiceField(label="Tag", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args, departments, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {d.slug: d for d in departments}
        self.tags = {t.slug: t for t in tags}
        self.fields["department"].choices = [("", "Any department")] + [(d.slug, d.name) for d in departments]
        self.fields["tag"].choices = [("", "Any tag")] + [(t.slug, t.name) for t in tags]

    def filters(self) -> dict:
        """The valid filters as keyword arguments for selectors.review.terms_due_for_review."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "department": self.departments.get(data.get("department", "")),
            "tag": self.tags.get(data.get("tag", "")),
            "overdue_only": bool(data.get("overdue")),
        }
