import string

from django import forms
from django.core.validators import MaxLengthValidator

from accounts.models import Department
from glossary import text, workflow
from glossary.entries import BY_NAME, CONTENT, ContentField, Entry, Kind, label_for
from glossary.exports.files import MAX_UPLOAD_BYTES
from glossary.exports.options import ExportOptions
from glossary.models import Definition, Proposal, SignOff, Tag, Term
from glossary.models.fields import max_length

LETTERS = list(string.ascii_uppercase) + ["#"]


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
                "At most %(limit)d tags; this has %(count)d.", code="max_tags", params={"limit": Term.MAX_TAGS, "count": len(value)}
            )
        refuse_longer_than(max_length(Tag, "name"), value, "Each tag is")


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


def content_form_field(content_field: ContentField) -> forms.Field:
    """The proposal form's field for one declared field of a term, held to the model's limit."""
    kind, common = content_field.kind, {"label": content_field.label, "help_text": content_field.help_text}
    if kind == Kind.NAME:
        return NameField(max_length=max_length(Term, content_field.name), **common)
    if kind == Kind.TEXT:
        return forms.CharField(max_length=max_length(Term, content_field.name), required=False, **common)
    if kind == Kind.MARKDOWN:
        return StoredTextField(
            normalise=markdown_text, max_length=max_length(Term, content_field.name), required=False,
            widget=forms.Textarea(attrs={"rows": 3}), **common,
        )
    if kind == Kind.NAMES and content_field.column:
        return SynonymsField(
            max_length=max_length(Term, content_field.name), required=False, widget=forms.Textarea(attrs={"rows": 2}), **common
        )
    if kind == Kind.NAMES:
        return TagsField(required=False, label=content_field.label, help_text=f"Separated by commas; at most {Term.MAX_TAGS}.")
    if kind == Kind.REFERENCES:
        return forms.ModelMultipleChoiceField(
            queryset=Term.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 6}), **common
        )
    if kind == Kind.DATE:
        return forms.DateField(
            required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            error_messages={"invalid": "Enter a date as YYYY-MM-DD, for example 2027-03-31."}, **common,
        )
    raise ValueError(f"No form field for {kind}")


# Typed by people: everything but the status, which the kind of proposal decides. The form's field
# names are the names in files, which the pages and scripts already send.
TYPED_CONTENT = [f for f in CONTENT if f.kind != Kind.STATUS]


class ProposalForm(forms.Form):
    """A complete proposed entry plus the reason for it; one definition box per signing department.

    Its fields come from the declaration of a term's content (glossary.entries.CONTENT), in order.
    """

    reason = StoredTextField(
        normalise=markdown_text,
        max_length=max_length(Proposal, "reason"),
        label="Why this change?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Reviewers in every department read this first.",
    )

    def __init__(self, *args, departments, term=None, entry=None, **kwargs):
        self.departments = list(departments)
        if entry is not None:
            kwargs.setdefault("initial", {}).update(self.initial_from(entry))
        super().__init__(*args, **kwargs)
        order = []
        for content_field in TYPED_CONTENT:
            if content_field.kind == Kind.DEFINITIONS:
                for department in self.departments:
                    self.fields[self.definition_field(department)] = StoredTextField(
                        normalise=markdown_text,
                        label=label_for(content_field, department),
                        required=False,
                        max_length=max_length(Definition, "text"),
                        widget=forms.Textarea(attrs={"rows": 5}),
                        help_text=content_field.help_text,
                    )
                    order.append(self.definition_field(department))
                continue
            self.fields[content_field.export_name] = content_form_field(content_field)
            order.append(content_field.export_name)
        self.fields[BY_NAME["related"].export_name].queryset = Term.objects.exclude(pk=getattr(term, "pk", None))
        self.order_fields([*order, "reason"])

    @staticmethod
    def definition_field(department) -> str:
        return f"definition_{department.slug}"

    def initial_from(self, entry) -> dict:
        initial = {}
        for content_field in TYPED_CONTENT:
            value = getattr(entry, content_field.name)
            if content_field.kind == Kind.DEFINITIONS:
                initial |= {self.definition_field(d): value.get(d.pk, "") for d in self.departments}
            elif content_field.kind == Kind.REFERENCES:
                initial[content_field.export_name] = list(value)
            elif content_field.is_list and not content_field.column:
                initial[content_field.export_name] = ", ".join(value)
            else:
                initial[content_field.export_name] = value
        return initial

    def layout(self) -> list[tuple[str, object]]:
        """The content fields in page order for the template: ("field", a field) or ("definitions", fields)."""
        items = []
        for content_field in TYPED_CONTENT:
            if content_field.kind == Kind.DEFINITIONS:
                items.append(("definitions", self.definition_fields()))
            else:
                items.append(("field", self[content_field.export_name]))
        return items

    def definition_fields(self):
        return [self[self.definition_field(d)] for d in self.departments]

    def entry(self, status: str = "") -> Entry:
        data, values = self.cleaned_data, {"status": status}
        for content_field in TYPED_CONTENT:
            if content_field.kind == Kind.DEFINITIONS:
                values["definitions"] = {d.pk: data[self.definition_field(d)] for d in self.departments}
            elif content_field.kind == Kind.REFERENCES:
                values[content_field.name] = {t.pk: t.name for t in data[content_field.export_name]}
            else:
                values[content_field.name] = data[content_field.export_name]
        return Entry(**values)

    def add_service_errors(self, error) -> None:
        """Show a service's ValidationError next to the fields it names, the rest above the form."""
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class ReasonForm(forms.Form):
    """Just a reason, for proposals whose content is given (deprecating a term)."""

    reason = StoredTextField(
        normalise=markdown_text, label="Why?", max_length=max_length(Proposal, "reason"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DeprecateForm(ReasonForm):
    """Why, and optionally which term people should use instead, by its name."""

    replaced_by = NameField(
        label="Use instead (optional)",
        required=False,
        max_length=max_length(Term, "name"),
        help_text="The name of the term people should use from now on; the deprecated term's page will point to it.",
    )

    def clean_replaced_by(self):
        name = self.cleaned_data["replaced_by"]
        if not name:
            return None
        if "\x00" in name:
            raise forms.ValidationError("Null characters are not allowed.")
        found = Term.objects.filter(name_key=text.name_key(name)).first()
        if found is None:
            raise forms.ValidationError(f"No term is called “{name}”. Propose it first, or leave this empty.")
        return found


class ReviewForm(forms.Form):
    """The proposal page's one form: a comment, and the action it is sent with.

    The page offers the reader's decisions (approve, request changes, reject) and a plain comment
    as buttons of this one form, each sending it to its action. Whether the comment is needed
    depends on that action (`workflow.comment_refusal`): checked here so the message stands next
    to the box before anything is stored, and again by the services.
    """

    comment = StoredTextField(
        normalise=markdown_text,
        label="Your comment",
        required=False,
        max_length=max_length(SignOff, "comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown: **bold**, *italic*, lists.",
    )
    # The revision the reviewer saw: a decision counts only for it (the services refuse any other).
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, data=None, *, action: workflow.Action | None = None, **kwargs):
        if data is not None and "comment" not in data and "body" in data:
            # A plain comment's text was once sent as "body"; such requests keep working.
            data = data.copy()
            data["comment"] = data["body"]
        super().__init__(data, **kwargs)
        self.action = action

    def offer(self, actions) -> "ReviewForm":
        """Say next to the box when it must be filled in, for the actions this reader is offered."""
        if any(action in workflow.SIGN_OFF_ACTIONS for action in actions):
            self.fields["comment"].help_text = (
                "Optional when you approve. Required when you request changes or reject: the author reads it. "
                "Markdown: **bold**, *italic*, lists."
            )
        return self

    def clean(self):
        cleaned = super().clean()
        if "comment" in cleaned and self.action is not None:
            problem = workflow.comment_refusal(self.action, cleaned["comment"])
            if problem:
                self.add_error("comment", forms.ValidationError(problem, code="required"))
        if self.action in workflow.SIGN_OFF_ACTIONS and cleaned.get("revision") is None:
            self.add_error(None, forms.ValidationError(
                "This page did not say which revision you reviewed: reload it and decide again.", code="revision"
            ))
        return cleaned

    def service_arguments(self) -> dict:
        """The answers, as the keyword arguments the action's service takes."""
        if self.action == workflow.Action.COMMENT:
            return {"body": self.cleaned_data["comment"]}
        return {"comment": self.cleaned_data["comment"], "seen_revision": self.cleaned_data["revision"]}


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
    dry_run = forms.BooleanField(
        label="Dry run: only check the file and show what would happen", required=False, initial=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.", code="too_big")
        return upload


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
