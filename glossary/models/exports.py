import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class PdfExport(models.Model):
    """A PDF too big to render within a web request, built by the task worker.

    The finished file is kept here, in the database, so any app server can hand it out.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Stage(models.TextChoices):
        """While running: the stage of the render (`glossary.interchange.pdf.PdfStep`)."""

        TERMS = "terms", "Preparing the terms"
        LAYOUT = "layout", "Laying out the pages"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    options = models.JSONField()
    # The cache key: the options and the glossary's state when requested. Same key, same file.
    key = models.CharField(max_length=120)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # How far it got, as the worker last recorded it: the stage, terms prepared of all, the pages of
    # the finished file, the share of the work done in percent and the same in words.
    stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    terms_done = models.PositiveIntegerField(default=0)
    terms_total = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    # The worker's task (django-tasks), for the place in the queue.
    task_id = models.UUIDField(null=True, blank=True, editable=False)
    pdf = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["key", "state"])]

    def __str__(self):
        return f"PDF export {self.id} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("glossary:pdf_export", kwargs={"pk": self.pk})
