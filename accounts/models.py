from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class Department(models.Model):
    """A side of the organisation that defines terms in its own words and signs them off.

    Departments are rows, not columns: adding one here gives every term a definition slot for it.
    """

    name = models.CharField(max_length=80, unique=True, help_text="Short name, e.g. “IT” or “Marketing”.")
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order of this department's column on term pages.")
    is_active = models.BooleanField(
        default=True, help_text="Inactive departments keep their definitions but get no column."
    )
    signs_off = models.BooleanField(
        default=True, help_text="Every change needs this department's approval before it is official."
    )
    # Terms this department defines are due for a fresh look this long after they are published or
    # confirmed; empty: the glossary-wide GLOSSARY_REVIEW_MONTHS. A term takes its departments' shortest.
    review_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Months until a term this department defines is due for review (empty: the glossary's default).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person using the glossary; belongs to at most one department.

    What they may do comes from their role group (see accounts.roles); an approver signs only for
    this department, so nobody can approve for two departments.
    """

    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    def save(self, *args, **kwargs):
        # A login only touches last_login; it is not a change anyone needs in the audit trail.
        if kwargs.get("update_fields") and set(kwargs["update_fields"]) <= {"last_login"}:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, **kwargs)

    def __str__(self):
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A personal key for the API, standing for its user: their role and department decide.

    Only a SHA-256 digest of the secret is stored (the secret is random and long, so a fast hash
    is enough); the person sees the secret once, when it is made. Revoking keeps the row, so the
    page can still say which token was used when.
    """

    PREFIX = "cg_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. “Intranet sync”.")
    # The secret's first characters, so that a person can tell their tokens apart.
    hint = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=False, help_text="It can read the glossary but not propose or sign off.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OidcIdentity(models.Model):
    """Who a user is at the organisation's identity provider: the provider's `sub` for them.

    Log-ins through the provider find the user by issuer and subject, never by e-mail: an e-mail
    address can change or be reused, the subject cannot.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="oidc_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "identity at the identity provider"
        verbose_name_plural = "identities at the identity provider"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique_subject")]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"


class FeedToken(models.Model):
    """A personal key in the address of the glossary's Atom feeds, for a private glossary.

    A feed reader cannot log in, so the address carries the secret; it stands for its user only for
    reading feeds, nothing else. Like ApiToken, only a SHA-256 digest is stored and revoking keeps
    the row.
    """

    PREFIX = "cgf_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="feed_tokens")
    hint = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Feed token {self.hint}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
