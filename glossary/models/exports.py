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
        RUNNING = "running", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    options = models.JSONField()
    # The cache key: the options and the glossary's state when requested. Same key, same file.
    key = models.CharField(max_length=120)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    pdf = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["key", "state"])]

    def __str__(self):
        return f"PDF export {self.id} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("glossary:pdf_export", kwargs={"pk": self.pk})
