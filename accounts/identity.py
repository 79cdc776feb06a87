"""People who log in through the identity provider: their account, department and role.

The directory is the source of truth for people who log in through it: at every log-in their
groups are read again and give their department and role, so someone moved from IT to Marketing
signs for Marketing from their next log-in, and someone taken out of the approvers' group can no
longer approve. Accounts are found by the provider's subject (`sub`), never by e-mail.
"""

import logging
import re
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts import roles
from accounts.models import Department, OidcIdentity, User

logger = logging.getLogger(__name__)

# Lowest first: a person in several mapped groups gets the highest role among them.
ROLE_RANK = [roles.READER, roles.CONTRIBUTOR, roles.APPROVER, roles.GLOSSARY_ADMIN]


@dataclass(frozen=True)
class GroupAccess:
    """What one group of the provider grants: a department (its slug), a role, or both."""

    department: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Access:
    department: str | None
    role: str


def group_map_parse(raw: dict) -> dict[str, GroupAccess]:
    """OIDC_GROUP_MAP as read from its JSON, checked: every role must be one of the four."""
    if not isinstance(raw, dict):
        raise ImproperlyConfigured('OIDC_GROUP_MAP must be a JSON object: {"group": {"department": ..., "role": ...}}.')
    by_lower = {role.lower(): role for role in ROLE_RANK}
    parsed = {}
    for group, access in raw.items():
        if not isinstance(access, dict) or not set(access) <= {"department", "role"}:
            raise ImproperlyConfigured(f'OIDC_GROUP_MAP[{group!r}] must be an object with "department" and/or "role".')
        role = access.get("role")
        if role is not None and str(role).lower() not in by_lower:
            raise ImproperlyConfigured(
                f"OIDC_GROUP_MAP[{group!r}]: unknown role {role!r}; roles are {', '.join(ROLE_RANK)}."
            )
        department = access.get("department")
        parsed[str(group)] = GroupAccess(
            department=str(department) if department else None,
            role=by_lower[str(role).lower()] if role is not None else None,
        )
    return parsed


def groups_from_claims(claims: dict, groups_claim: str) -> list[str]:
    """The provider's groups for this person; a single group may come as a plain string."""
    value = claims.get(groups_claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(group) for group in value if isinstance(group, (str, int))]
    return []


def access_from_groups(groups: list[str], group_map: dict[str, GroupAccess]) -> Access:
    """The department and role the groups give. Unknown groups give nothing: a reader.

    A person belongs to at most one department; groups naming two different departments are a
    directory mistake, and guessing one could let someone sign for the wrong side, so they get none.
    """
    matched = [group_map[group] for group in groups if group in group_map]
    departments = {access.department for access in matched if access.department}
    role_indexes = [ROLE_RANK.index(access.role) for access in matched if access.role]
    role = ROLE_RANK[max(role_indexes)] if role_indexes else roles.READER
    if len(departments) > 1:
        # Only the groups of the map: the provider's list can be long, and is the directory's business.
        mapped = [group for group in groups if group in group_map]
        logger.warning("Groups %s map to several departments (%s); the user gets none.", mapped, sorted(departments))
        return Access(department=None, role=role)
    return Access(department=next(iter(departments), None), role=role)


_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def _free_username(claims: dict) -> str:
    """A readable, unused username for a new account (it stays the same at later log-ins)."""
    wanted = claims.get("preferred_username") or claims.get("email") or f"user-{claims['sub']}"
    base = _USERNAME_UNSAFE.sub("-", str(wanted))[:140] or "user"
    candidate, number = base, 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _text(claims: dict, name: str, limit: int) -> str:
    value = claims.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _email(claims: dict) -> str:
    """The e-mail address, or none when the provider sends something that is not one."""
    email = _text(claims, "email", 254)
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


@transaction.atomic
def user_sync_from_claims(
    *, issuer: str, claims: dict, groups_claim: str, group_map: dict[str, GroupAccess], provider_name: str
) -> User:
    """The account of the person the verified claims describe, created at their first log-in and
    brought up to date (name, e-mail, department, role) at every one."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise SuspiciousOperation("The identity provider sent no usable subject (sub).")

    identity = (
        OidcIdentity.objects.select_for_update().select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if identity is None:
        user = User(username=_free_username(claims))
        # Their password is the provider's: no local password to guess or to leak.
        user.set_unusable_password()
        created = True
    else:
        user = identity.user
        created = False

    if groups_claim:
        access = access_from_groups(groups_from_claims(claims, groups_claim), group_map)
    elif created:
        # No groups claim configured (Google Workspace sends none): a new account starts as a
        # reader, and its department and role are then kept in the admin, not reset at log-in.
        access = Access(department=None, role=roles.READER)
    else:
        access = None
    department = None
    if access is not None and access.department:
        department = Department.objects.filter(slug=access.department, is_active=True).first()
        if department is None:
            logger.warning("OIDC_GROUP_MAP names department %r, which is not an active department.", access.department)

    given, family = _text(claims, "given_name", 150), _text(claims, "family_name", 150)
    if not (given or family) and _text(claims, "name", 300):
        given, _, family = _text(claims, "name", 300).partition(" ")
    wanted = {"email": _email(claims), "first_name": given[:150], "last_name": family[:150]}
    if access is not None:
        wanted["department"] = department
        # The admin site is for glossary admins; nobody becomes a superuser through the directory.
        wanted["is_staff"] = access.role == roles.GLOSSARY_ADMIN
    changed = created or any(getattr(user, field) != value for field, value in wanted.items())
    if changed:
        for field, value in wanted.items():
            setattr(user, field, value)
        user._change_reason = (
            f"First log-in through {provider_name}" if created else f"Updated from {provider_name} at log-in"
        )
        user.full_clean(exclude=["password"])
        user.save()
    if created:
        OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject)

    if access is None:
        return user
    role_groups = Group.objects.filter(name__in=ROLE_RANK)
    held = set(user.groups.filter(name__in=ROLE_RANK).values_list("name", flat=True))
    if held != {access.role}:
        user.groups.remove(*role_groups)
        user.groups.add(role_groups.get(name=access.role))
    return user


@transaction.atomic
def oidc_identity_link(*, user: User, issuer: str, subject: str) -> OidcIdentity:
    """Link an existing account to a person at the provider: their next log-in through it lands
    in this account (with its history and proposals) instead of a new one."""
    identity = OidcIdentity(user=user, issuer=issuer, subject=subject)
    identity.full_clean()
    identity.save()
    return identity
