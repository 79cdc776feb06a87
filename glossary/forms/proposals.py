"""Proposing a term, a change, a deprecation or a restore, and deciding on a proposal (sign-off and comments)."""

from django import forms

from glossary import text, workflow
from glossary.entries import BY_NAME, CONTENT, ContentField, Entry, Kind, label_for
from glossary.forms.fields import NameField, StoredTextField, SynonymsField, TagsField, markdown_text
from glossary.models import Definition, Proposal, SignOff, Term
from glossary.models.fields import max_length


def content_form_field(content_field: ContentField) -> forms.Field:
    """The proposal form's field for one declared field of a term, held to the model's limit."""
    kind, common = content_field.kind, {"label": content_field.label, "help_text": content_field.help_text}
    if kind == Kind.NAME:
        return NameField(max_length=max_length(Term, content_field.name), **common)
    if kind == Kind.TEXT:
        return forms.CharField(max_length=max_length(Term, content_field.name), required=False, **common)
    if kind == Kind.MARKDOWN:
        return StoredTextField(
            normalise=markdown_text,
            max_length=max_length(Term, content_field.name),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            **common,
        )
    if kind == Kind.NAMES and content_field.column:
        return SynonymsField(
            max_length=max_length(Term, content_field.name),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            **common,
        )
    if kind == Kind.NAMES:
        return TagsField(
            required=False, label=content_field.label, help_text=f"Separated by commas; at most {Term.MAX_TAGS}."
        )
    if kind == Kind.REFERENCES:
        return forms.ModelMultipleChoiceField(
            queryset=Term.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 6}), **common
        )
    if kind == Kind.DATE:
        return forms.DateField(
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            error_messages={"invalid": "Enter a date as YYYY-MM-DD, for example 2027-03-31."},
            **common,
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
        self.fields[BY_NAME["related_terms"].export_name].queryset = Term.objects.exclude(pk=getattr(term, "pk", None))
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
        normalise=markdown_text,
        label="Why?",
        max_length=max_length(Proposal, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
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


class DecisionForm(forms.Form):
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

    def offer(self, actions) -> "DecisionForm":
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
            self.add_error(
                None,
                forms.ValidationError(
                    "This page did not say which revision you reviewed: reload it and decide again.", code="revision"
                ),
            )
        return cleaned

    def service_arguments(self) -> dict:
        """The answers, as the keyword arguments the action's service takes."""
        if self.action == workflow.Action.COMMENT:
            return {"body": self.cleaned_data["comment"]}
        return {"comment": self.cleaned_data["comment"], "seen_revision": self.cleaned_data["revision"]}
