"""The dashboard's filter."""

from django import forms


class DashboardFilterForm(forms.Form):
    """The dashboard's one filter: a tag, or the whole glossary."""

    tag = forms.ChoiceField(label="Tag", required=False)

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.tags = {t.slug: t for t in tags}
        self.fields["tag"].choices = [("", "The whole glossary")] + [(t.slug, t.name) for t in tags]
        self.fields["tag"].error_messages["invalid_choice"] = "No tag has this address; showing the whole glossary."

    def chosen_tag(self):
        """The chosen tag, or None for the whole glossary (also when the choice is not valid)."""
        return self.tags.get(getattr(self, "cleaned_data", {}).get("tag") or "")
