"""Writes of the accounts app: personal API tokens and feed tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.backends import DepartmentAwareBackend
from accounts.models import ApiToken, FeedToken, User

SECRET_BYTES = 32
# How many characters of the secret the tokens page shows, after the prefix.
HINT_LENGTH = 6
# A script calling every second need not write every second: "last used" is kept to the minute.
LAST_USED_PRECISION = timedelta(minutes=1)
# Longer than any secret this app makes; anything longer is not worth hashing.
MAX_SECRET_LENGTH = 100


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(model) -> tuple[str, dict]:
    """A fresh secret for an `ApiToken` or `FeedToken`, and the fields that remember it: the hint
    people tell their tokens apart by, and the digest (the secret itself is never stored)."""
    secret = model.PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    return secret, {"hint": secret[: len(model.PREFIX) + HINT_LENGTH], "digest": _digest(secret)}


def _revoke(model, *, user: User, token_id: int):
    """Revoke one of `user`'s own tokens of `model` (someone else's is a 404); twice changes nothing."""
    token = get_object_or_404(model.objects.select_for_update(), pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def _live_token(model, secret: str):
    """The unrevoked token of `model` whose secret this is, or None (checked before hashing)."""
    if not secret.startswith(model.PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    return model.objects.filter(digest=_digest(secret), revoked_at__isnull=True).first()


@transaction.atomic
def api_token_create(*, user: User, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """A new token for `user`, and its secret: shown to them once, never stored."""
    secret, remembered = _new_secret(ApiToken)
    token = ApiToken(user=user, name=name, read_only=read_only, **remembered)
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own tokens (someone else's is a 404); revoking twice changes nothing."""
    return _revoke(ApiToken, user=user, token_id=token_id)


def api_token_user(secret: str) -> tuple[User, ApiToken] | None:
    """The active user a live token stands for, loaded as for a page (department and permissions
    in one query), and the token; None for anything else. Notes when the token was used."""
    token = _live_token(ApiToken, secret)
    if token is None:
        return None
    user = DepartmentAwareBackend().get_user(token.user_id)
    if user is None:  # deactivated since
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return user, token


@transaction.atomic
def feed_token_create(*, user: User) -> tuple[FeedToken, str]:
    """A new feed token for `user`, and its secret (shown once). It replaces their previous one:
    a person needs one feed address, and making a new one is how a leaked address is retired."""
    now = timezone.now()
    for token in FeedToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
    secret, remembered = _new_secret(FeedToken)
    token = FeedToken(user=user, **remembered)
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def feed_token_revoke(*, user: User, token_id: int) -> FeedToken:
    """Revoke one of `user`'s own feed tokens (someone else's is a 404); twice changes nothing."""
    return _revoke(FeedToken, user=user, token_id=token_id)


def feed_token_user(secret: str) -> User | None:
    """The active user a live feed token stands for; None for anything else."""
    token = _live_token(FeedToken, secret)
    if token is None:
        return None
    return DepartmentAwareBackend().get_user(token.user_id)
