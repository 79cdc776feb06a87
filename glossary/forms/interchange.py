"""Exporting the glossary (which terms, which format) and importing a file as proposals."""

from django import forms

from accounts.models import Department
from glossary.forms.terms import LETTERS
from glossary.interchange.files import MAX_UPLOAD_BYTES
from glossary.interchange.options import ExportOptions, ImportOptions
from glossary.models import Tag, Term


class ExportForm(forms.Form):
    """Which terms go into an export: the home page's filters, plus terms still in review on request.

    A tag or department that does not exist is an error, not an export of everything under a name
    that says otherwise.
    """

    status = forms.ChoiceField(required=False, choices=[("", "Approved (default)"), *Term.Status.choices])
    tag = forms.SlugField(required=False)
    letter = forms.ChoiceField(required=False, choices=[("", "All")] + [(c, c) for c in LETTERS])
    missing = forms.SlugField(label="Missing a definition from", required=False)
    q = forms.CharField(label="Search", required=False, max_length=200)
    include_in_review = forms.BooleanField(label="Include terms not yet approved", required=False)
    state = forms.BooleanField(label="Add a page on the state of our common language", required=False)

    def clean_tag(self):
        slug = self.cleaned_data["tag"]
        if slug and not Tag.objects.filter(slug=slug).exists():
            raise forms.ValidationError("There is no tag with this address.", code="unknown")
        return slug

    def clean_missing(self):
        slug = self.cleaned_data["missing"]
        if slug and not Department.objects.filter(slug=slug).exists():
            raise forms.ValidationError("There is no department with this address.", code="unknown")
        return slug

    def clean_q(self):
        value = self.cleaned_data["q"]
        if "\x00" in value:
            raise forms.ValidationError("Search text cannot contain NUL characters.", code="invalid")
        return value.strip()

    def options(self) -> ExportOptions:
        data = self.cleaned_data
        return ExportOptions(
            status=data.get("status", ""),
            tag=data.get("tag", ""),
            letter=data.get("letter", ""),
            include_in_review=data.get("include_in_review", False),
            missing=data.get("missing", ""),
            query=data.get("q", ""),
            state=data.get("state", False),
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Glossary file",
        help_text="CSV or JSON as Common Ground exports them, or SKOS (.ttl, .rdf, .jsonld): UTF-8, at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.ttl,.rdf,.jsonld"}),
    )
    plain_definition = forms.ChoiceField(
        label="A definition that names no department becomes",
        required=False,
        help_text="How a SKOS file published elsewhere defines a concept: one skos:definition. "
        "A definition that names its department goes to that department either way.",
    )
    drop_unkept = forms.BooleanField(
        label="Leave out what the glossary cannot keep",
        required=False,
        help_text="A dry run lists it by property first. Unticked, a concept that says more than the "
        "glossary keeps is refused, so nothing is lost without a word.",
    )
    dry_run = forms.BooleanField(
        label="Dry run: only check the file and show what would happen", required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plain_definition"].choices = [
            ("", "The common ground"),
            *((d.slug, f"{d.name}'s definition") for d in Department.objects.filter(is_active=True)),
        ]

    def options(self) -> ImportOptions:
        return ImportOptions(
            plain_definition=self.cleaned_data.get("plain_definition", ""),
            drop_unkept=self.cleaned_data.get("drop_unkept", False),
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.", code="too_big"
            )
        return upload
