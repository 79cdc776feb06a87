"""Form fields shared by the features' forms: text held to its stored length, names, synonyms, tags."""

from django import forms
from django.core.validators import MaxLengthValidator

from glossary import text
from glossary.models import Tag, Term
from glossary.models.fields import max_length


def markdown_text(value: str) -> str:
    return text.normalise_newlines(value).strip()


def one_per_line(value: str) -> str:
    return "\n".join(text.split_lines(value))


class StoredTextField(forms.CharField):
    """A text field that checks its length on the text as it will be stored, not as typed.

    Names are NFKC-normalised (“ﷺ” becomes 18 letters) and browsers send line breaks as two
    characters that are stored as one, so the typed length says little about what fits.
    """

    def __init__(self, *, normalise, **kwargs):
        self.normalise = normalise
        super().__init__(**kwargs)
        for validator in self.validators:
            if isinstance(validator, MaxLengthValidator):
                validator.message = "At most %(limit_value)d characters; this has %(show_value)d as it would be stored."

    def to_python(self, value):
        return self.normalise(super().to_python(value))


class NameField(StoredTextField):
    def __init__(self, **kwargs):
        super().__init__(normalise=text.normalise_name, **kwargs)
        for validator in self.validators:
            if isinstance(validator, MaxLengthValidator):
                validator.message = (
                    "At most %(limit_value)d characters, counted as stored: letters such as “ﬁ” or “ﷺ” count "
                    "as the letters they stand for. This has %(show_value)d."
                )


def refuse_longer_than(limit: int, items, what: str) -> None:
    """Name the first item of a list that is over its limit."""
    for item in items:
        if len(item) > limit:
            raise forms.ValidationError(
                "%(what)s at most %(limit)d characters; “%(start)s…” has %(length)d.",
                code="max_length",
                params={"what": what, "limit": limit, "start": item[:40], "length": len(item)},
            )


class SynonymsField(StoredTextField):
    """One name per line (or separated by commas); each as long as a term's name may be."""

    def __init__(self, **kwargs):
        super().__init__(normalise=one_per_line, **kwargs)

    def validate(self, value):
        super().validate(value)
        refuse_longer_than(max_length(Term, "name"), value.split("\n"), "Each synonym is a name of")


class TagsField(forms.CharField):
    """Tag names separated by commas, cleaned to a tuple of names as they will be stored."""

    def to_python(self, value):
        value = super().to_python(value)
        if "\x00" in value:  # checked here: the field's own check would only see the cleaned tuple
            raise forms.ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")
        return tuple(text.split_lines(value))

    def validate(self, value):
        super().validate(value)
        if len(value) > Term.MAX_TAGS:
            raise forms.ValidationError(
                "At most %(limit)d tags; this has %(count)d.",
                code="max_tags",
                params={"limit": Term.MAX_TAGS, "count": len(value)},
            )
        refuse_longer_than(max_length(Tag, "name"), value, "Each tag is")
