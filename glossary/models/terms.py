import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from glossary import text
from glossary.entries import CONTENT, ContentField, Kind
from glossary.models.fields import LimitedTextField


class NormalisedModel(models.Model):
    """A model whose text is put into its stored form before it is validated, and again on saving.

    Limits then count the characters that will be stored, not the ones typed: NFKC spells “ﷺ” out
    in 18 letters, so a short name can grow past its column.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalise()
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        raise NotImplementedError

    def full_clean(self, *args, **kwargs):
        self.normalise()
        super().full_clean(*args, **kwargs)


class Tag(NormalisedModel):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = Tag.slug_for(self.name) or self._numbered_slug()
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        self.name = text.normalise_name(self.name)

    @staticmethod
    def slug_for(name: str) -> str:
        """The address a new tag of this name gets: its letters and digits, hyphenated."""
        return slugify(text.normalise_name(name))[: Tag._meta.get_field("slug").max_length]

    def clean(self):
        # A tag's address is its filter link (?tag=x-y), so “x y” and “x-y” cannot both exist. The
        # admin sets slugs itself, and Django's unique check covers those.
        if self.slug:
            return
        slug = Tag.slug_for(self.name)
        clash = Tag.objects.filter(slug=slug).exclude(pk=self.pk).first() if slug else None
        if clash:
            raise ValidationError(
                {
                    "name": f"The tag “{self.name}” would share its address with the tag “{clash.name}”: "
                    f"use “{clash.name}”, or a name that differs in letters or digits."
                },
                code="unique",
            )

    def _numbered_slug(self) -> str:
        """For names with no letter or digit in the Latin alphabet (“市场”, “!!!”)."""
        n = 1
        while Tag.objects.filter(slug=f"tag-{n}").exists():
            n += 1
        return f"tag-{n}"


class EntryContent(NormalisedModel):
    """The columns of a term's content, shared by a term and by a proposal for one.

    The columns are built from the fields' declarations in glossary.entries.CONTENT (below this
    class), not written out here: the declaration already says each one's kind, limit and help for
    the forms, files, SKOS and API, and a second list here would be one more place a new field must
    be added and could be missed (a test comparing the two would only find it later). The
    migrations show the columns spelt out. Tags, related terms and definitions are relations of
    each model.
    """

    class Meta:
        abstract = True

    @property
    def synonym_list(self) -> list[str]:
        return text.split_lines(self.synonyms)

    def normalise(self) -> None:
        for content_field in SHARED_COLUMNS:
            stored_form = STORED_FORM.get(content_field.kind)
            if stored_form is not None:
                setattr(self, content_field.name, stored_form(getattr(self, content_field.name)))


# The declared fields whose columns EntryContent holds; the status is each model's own.
SHARED_COLUMNS = tuple(f for f in CONTENT if f.column and f.column.shared)
# How each kind of text is stored, whoever typed it: names as names, a list one per line, Markdown
# with one kind of line break.
STORED_FORM = {
    Kind.NAME: text.normalise_name,
    Kind.NAMES: lambda value: "\n".join(text.split_lines(value)),
    Kind.MARKDOWN: text.normalise_newlines,
}


def content_column(content_field: ContentField) -> models.Field:
    """The column a declared field is held in, its type following from its kind."""
    column = content_field.column
    options = {"blank": not column.required, "help_text": column.help_text, "db_index": column.db_index}
    if column.blank_message:
        options["error_messages"] = {"blank": column.blank_message}
    if content_field.kind in (Kind.NAME, Kind.TEXT):
        return models.CharField(column.verbose_name, max_length=column.max_length, **options)
    if content_field.kind in (Kind.MARKDOWN, Kind.NAMES):
        return LimitedTextField(column.verbose_name, max_length=column.max_length, **options)
    if content_field.kind == Kind.DATE:
        return models.DateField(column.verbose_name, null=True, **options)
    raise ValueError(f"No column for a field of kind {content_field.kind}")


for content_field in SHARED_COLUMNS:
    EntryContent.add_to_class(content_field.name, content_column(content_field))


class ReviewStatus(models.TextChoices):
    """Where a term stands with its review date; the Due for review list shows the first two."""

    OVERDUE = "overdue", "Review overdue"
    DUE_SOON = "due_soon", "Review due soon"
    CURRENT = "current", "Reviewed"
    NONE = "none", "No review date"

    @classmethod
    def of(cls, review_by: datetime.date | None, today: datetime.date) -> "ReviewStatus":
        if review_by is None:
            return cls.NONE
        if review_by < today:
            return cls.OVERDUE
        if review_by <= today + datetime.timedelta(days=settings.GLOSSARY_REVIEW_WARNING_DAYS):
            return cls.DUE_SOON
        return cls.CURRENT


class Term(EntryContent):
    """One glossary entry: a word, and what each department means by it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        DEPRECATED = "deprecated", "Deprecated"

    # name_key and initial are derived from name on every save; they make uniqueness and the
    # A–Z index cheap and independent of the database's collation. Case folding turns one
    # character into as many as three (“ß” → “ss”), so the key has room for three times the name.
    name_key = models.CharField(max_length=360, unique=True, editable=False)
    initial = models.CharField(max_length=1, editable=False, db_index=True)
    slug = models.SlugField(max_length=140, unique=True, editable=False, help_text="Permanent address; kept on rename.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="terms")
    # More would be a list of keywords, not a way to browse.
    MAX_TAGS = 20
    related_terms = models.ManyToManyField("self", blank=True, symmetrical=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Everything searchable about the term, casefolded, rebuilt by glossary.services on each change.
    search_document = models.TextField(blank=True, editable=False)
    # On PostgreSQL, search_document parsed for full-text search once per change instead of per query.
    search_vector = SearchVectorField(null=True, editable=False)
    # Counts the versions; a proposal records the one it was based on to detect stale edits.
    version = models.PositiveIntegerField(default=0, editable=False)
    # The proposal whose sign-offs made this version official, if any.
    approval = models.ForeignKey(
        "glossary.Proposal", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    # Set when a glossary admin edits the term directly: its sign-offs no longer cover what it says.
    needs_reapproval = models.BooleanField(default=False, editable=False)
    # A deprecated term points people on to the term to use instead (set by its deprecation's proposal).
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="replaces"
    )

    history = HistoricalRecords(m2m_fields=[tags, related_terms], excluded_fields=["search_vector"])

    class Meta:
        ordering = ["name_key"]
        indexes = [
            # Due for review (selectors.review.terms_due_for_review): the terms in use in the order
            # the list shows them, so a page of it and its count read only the terms that are due.
            models.Index(
                fields=["review_by", "name_key"], condition=~Q(status="deprecated"), name="glossary_term_review_due"
            ),
        ]
        permissions = [
            ("propose_change", "Can propose a new term or a change to a term"),
            ("sign_off", "Can sign off proposals for their own department"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("glossary:term_detail", kwargs={"slug": self.slug})

    def review_status(self, today: datetime.date | None = None) -> "ReviewStatus":
        """Whether the term is overdue for review, due soon, or neither, on `today` (default: today)."""
        return ReviewStatus.of(self.review_by, today or timezone.localdate())

    @property
    def review_overdue(self) -> bool:
        return self.review_status() == ReviewStatus.OVERDUE

    @property
    def review_due_soon(self) -> bool:
        return self.review_status() == ReviewStatus.DUE_SOON

    def normalise(self) -> None:
        super().normalise()
        self.name_key = text.name_key(self.name)
        self.initial = text.initial(self.name)

    def clean(self):
        if not self.name:
            return  # the field's own check says so
        clash = Term.objects.filter(name_key=text.name_key(self.name)).exclude(pk=self.pk).first()
        if clash:
            raise ValidationError(
                {"name": f"“{clash.name}” is already in the glossary; names ignore case and spacing."},
                code="unique",
            )

    def _unique_slug(self) -> str:
        base = slugify(text.normalise_name(self.name))[:120] or "term"
        slug, n = base, 2
        while Term.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class Definition(NormalisedModel):
    """What one department means by a term, in Markdown."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="definitions")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="definitions")
    text = LimitedTextField(max_length=20000, help_text="Markdown: links, emphasis and lists are kept.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__position", "department__name"]
        constraints = [models.UniqueConstraint(fields=["term", "department"], name="one_definition_per_department")]

    def __str__(self):
        return f"{self.term} ({self.department})"

    def normalise(self) -> None:
        self.text = text.normalise_newlines(self.text)


class ReviewConfirmation(models.Model):
    """An approver's word that a term still says what their department means, and the review date
    it moved the term on to. Not a version: the content did not change."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="review_confirmations")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()
    previous_review_by = models.DateField(null=True, blank=True)
    review_by = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-confirmed_at", "-pk"]

    def __str__(self):
        return f"{self.term} confirmed by {self.confirmed_by} ({self.department})"


class ReviewDueAnnouncement(models.Model):
    """That the review-due event (glossary.events.TermReviewDue) was raised for a term's review date:
    once per term and date, so a tick every few minutes announces each review date once, and a
    confirmed review's new date once more when its time comes."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    review_by = models.DateField()
    announced_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "review_by"], name="review_due_announced_once")]

    def __str__(self):
        return f"{self.term_id} due by {self.review_by}"
