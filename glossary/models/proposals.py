"""Proposals and sign-offs: how a change becomes an official definition.

The rules for moving between states live in glossary.workflow; these models only hold the facts.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from glossary import text
from glossary.models.fields import LimitedTextField, max_length
from glossary.models.terms import Definition, EntryContent


class Proposal(EntryContent):
    """A complete proposed version of one entry, with its author's reason, awaiting sign-off."""

    class Kind(models.TextChoices):
        NEW_TERM = "new_term", "New term"
        CHANGE = "change", "Change"
        DEPRECATE = "deprecate", "Deprecation"
        RESTORE = "restore", "Restore an earlier version"

    class State(models.TextChoices):
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        OUT_OF_DATE = "out_of_date", "Out of date"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    OPEN_STATES = (State.IN_REVIEW, State.CHANGES_REQUESTED, State.OUT_OF_DATE)

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CHANGE)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_REVIEW, db_index=True)
    # Null for a new term until it is published.
    term = models.ForeignKey("glossary.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals")
    reason = LimitedTextField(max_length=2000, help_text="Why this change: reviewers see it first.")
    # The term version this proposal was written against; publishing on top of a newer one is refused.
    base_version = models.PositiveIntegerField(null=True, blank=True)
    # Every edit by the author makes a new revision; sign-offs count only for the revision they saw.
    revision = models.PositiveIntegerField(default=1)

    # The proposed entry: the term's own columns (EntryContent), and these.
    tag_names = models.TextField("tags", blank=True, help_text="One per line.")
    related_terms = models.ManyToManyField("glossary.Term", blank=True, related_name="+")
    # Names of related terms not in the glossary yet (an import proposing several new terms at once);
    # linked on publishing if a term of that name exists by then.
    related_names = models.TextField(blank=True)
    # A deprecation may name the term to use instead; publishing points the deprecated term at it.
    replaced_by = models.ForeignKey("glossary.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposed_status = models.CharField(max_length=12, default="approved")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[related_terms])

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["term", "state"])]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}: {self.name}"

    def get_absolute_url(self):
        return reverse("glossary:proposal_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def needs_definition(self) -> bool:
        """A new term imported with labels alone: never signed off until a definition is written in."""
        # Through .all(), so a page that prefetched the definitions asks nothing more.
        return not self.summary.strip() and not any(d.text.strip() for d in self.definitions.all())

    @property
    def tag_list(self) -> list[str]:
        return text.split_lines(self.tag_names)


class ProposedDefinition(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="definitions")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    text = LimitedTextField(max_length=max_length(Definition, "text"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["department__position", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "department"], name="one_proposed_definition_per_department")
        ]

    def __str__(self):
        return f"{self.proposal} ({self.department})"


class SignOff(models.Model):
    """One department's decision on one revision of a proposal."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        REQUEST_CHANGES = "request_changes", "Requested changes"
        REJECT = "reject", "Rejected"

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="sign_offs")
    revision = models.PositiveIntegerField()
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="sign_offs")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sign_offs")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = LimitedTextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Departments sign, not heads: a second approver of the same department cannot add a vote.
            models.UniqueConstraint(
                fields=["proposal", "revision", "department"], name="one_sign_off_per_department_per_revision"
            )
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.approver} ({self.department}), revision {self.revision}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = LimitedTextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment by {self.author} on #{self.proposal_id}"
