"""Reads about a department: what its page shows."""

from django.db.models import Q, QuerySet

from accounts import roles
from accounts.models import Department, User
from glossary.models import Definition, Term


def department_for_page(slug: str) -> Department | None:
    """The department at this address, active or not: an address once given out keeps answering."""
    return Department.objects.filter(slug=slug).first()


def approvers_of(departments) -> list[User]:
    """The active people who sign off for any of these departments (the workflow's mail goes to them)."""
    app_label, codename = roles.SIGN_OFF.split(".")
    has_perm = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label
    )
    return list(User.objects.filter(has_perm, is_active=True, department__in=departments).distinct())


def department_approvers(department: Department) -> list[User]:
    """Who signs off for the department: the same people its sign-off mail goes to."""
    return sorted(approvers_of([department]), key=lambda user: (str(user).casefold(), user.pk))


def terms_defined_by(department: Department) -> QuerySet[Term]:
    """The terms the department has put into its own words, A–Z."""
    defined = Definition.objects.filter(department=department).exclude(text="").values("term_id")
    return Term.objects.filter(pk__in=defined).only("name", "slug", "status").order_by("name_key")
