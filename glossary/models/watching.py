"""Watching: who wants to hear about which terms, what they were told, and approvers' reminders.

A watch names a term, a tag or the whole glossary. Each change a watcher should hear about becomes
one `WatchNotice` for that person, recorded in the transaction of the change itself; immediate
notices are mailed after commit, daily ones by `manage.py glossary_tick`. A notice is claimed before
it is sent and marked sent after, so no change reaches anyone twice.
"""

from django.conf import settings
from django.db import models


class Watch(models.Model):
    class Target(models.TextChoices):
        TERM = "term", "Term"
        TAG = "tag", "Tag"
        GLOSSARY = "glossary", "Whole glossary"

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "An e-mail for each change"
        DAILY = "daily", "A daily digest"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    target = models.CharField(max_length=10, choices=Target.choices)
    term = models.ForeignKey("glossary.Term", null=True, blank=True, on_delete=models.CASCADE, related_name="watches")
    tag = models.ForeignKey("glossary.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="watches")
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(target="term", term__isnull=False, tag__isnull=True)
                    | models.Q(target="tag", tag__isnull=False, term__isnull=True)
                    | models.Q(target="glossary", term__isnull=True, tag__isnull=True)
                ),
                name="watch_names_exactly_its_target",
            ),
            models.UniqueConstraint(
                fields=["user", "term"], condition=models.Q(target="term"), name="one_watch_per_user_and_term"
            ),
            models.UniqueConstraint(
                fields=["user", "tag"], condition=models.Q(target="tag"), name="one_watch_per_user_and_tag"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(target="glossary"), name="one_glossary_watch_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} watches {self.describe()}"

    def describe(self) -> str:
        if self.target == self.Target.TERM:
            return f"the term “{self.term}”"
        if self.target == self.Target.TAG:
            return f"terms tagged “{self.tag}”"
        return "the whole glossary"


class WatchNotice(models.Model):
    """One change, told to one watcher once: unique per person and change."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", "Proposal opened"
        REVISED = "revised", "Proposal revised"
        PUBLISHED = "published", "Published"
        DEPRECATED = "deprecated", "Deprecated"
        REVIEW_DUE = "review_due", "Review due soon"
        REVIEW_OVERDUE = "review_overdue", "Review overdue"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The watch that made the person hear of it; removing the watch drops what it had not sent yet.
    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Names the change itself ("published:proposal:12"), so one change is one notice per person
    # however many of their watches it matches.
    event_key = models.CharField(max_length=100)
    term = models.ForeignKey("glossary.Term", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey("glossary.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # What the mail says, written when the change happened: later changes do not rewrite it.
    headline = models.CharField(max_length=400)
    link = models.CharField(max_length=500)
    delivery = models.CharField(max_length=10, choices=Watch.Delivery.choices)
    created_at = models.DateTimeField()
    # Set by the process that sends it; one left claimed by a process that died is taken again later.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="one_notice_per_user_and_change")]
        indexes = [models.Index(fields=["delivery", "sent_at", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user}: {self.headline}"


class ApproverReminder(models.Model):
    """A reminder that a proposal's revision has waited on a department for a while; one per
    GLOSSARY_REMINDER_DAYS of waiting (`period` counts them), sent to the department's approvers."""

    proposal = models.ForeignKey("glossary.Proposal", on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField()
    department = models.ForeignKey("accounts.Department", on_delete=models.CASCADE, related_name="+")
    period = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "revision", "department", "period"], name="one_reminder_per_department_and_period"
            )
        ]

    def __str__(self):
        return f"Reminder for #{self.proposal_id} r{self.revision} to {self.department} ({self.period})"
