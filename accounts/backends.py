import functools
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Case, Expression, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from accounts.roles import EVERY_PAGE_PERMISSIONS

# Each permission every page asks about is one bit of the user's `page_permissions`.
_PAGE_PERMISSION_BITS = {perm: 1 << index for index, perm in enumerate(EVERY_PAGE_PERMISSIONS)}


def _page_permission_bits():
    """The sum of the bits of every page permission the user holds, directly or through a group.

    One correlated subquery for all of them: one EXISTS per permission cost the planner more than
    the rest of the page's queries together. Summing DISTINCT bits is a bitwise OR, so a permission
    granted twice (user and group, or two groups) still counts once.
    """
    bit = Case(
        *[
            When(content_type__app_label=perm.split(".")[0], codename=perm.split(".")[1], then=Value(value))
            for perm, value in _PAGE_PERMISSION_BITS.items()
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    held = Permission.objects.filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")),
        codename__in=[perm.split(".")[1] for perm in _PAGE_PERMISSION_BITS],
    ).order_by()
    summed = held.annotate(_bits=Func(bit, function="SUM", template="%(function)s(DISTINCT %(expressions)s)"))
    return Coalesce(Subquery(summed.values("_bits")[:1], output_field=IntegerField()), 0)


# What other apps add to every user loaded for a page (name: a function building the expression),
# so they get it in the same query without this app knowing them.
_PAGE_ANNOTATIONS: dict[str, Callable[[], Expression]] = {}


def annotate_users_for_pages(name: str, expression: Callable[[], Expression]) -> None:
    """Every user loaded for a page carries `name`, computed by `expression()` in the user's query."""
    _PAGE_ANNOTATIONS[name] = expression
    _users_for_pages.cache_clear()


@functools.cache
def _users_for_pages():
    """Users with their department, page permissions and what other apps annotated (the
    glossary: the workflow's state, under which the navigation badges are cached), in one query.

    Built once per process and only filtered per request: composing the subqueries took longer
    than the database needs to run them.
    """
    users = get_user_model()._default_manager.select_related("department")
    added = {name: expression() for name, expression in _PAGE_ANNOTATIONS.items()}
    return users.annotate(**added).annotate(page_permissions=_page_permission_bits())


class DepartmentAwareBackend(ModelBackend):
    """The standard backend with fewer queries per page.

    The user's department, the permissions every page asks about and what other apps annotate
    (annotate_users_for_pages) come with the user in one query; any other permission loads all of them in one more.
    """

    def get_user(self, user_id):
        user = _users_for_pages().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        held = getattr(user_obj, "page_permissions", None)
        if held is not None and perm in _PAGE_PERMISSION_BITS and obj is None and not hasattr(user_obj, "_perm_cache"):
            return user_obj.is_active and bool(held & _PAGE_PERMISSION_BITS[perm])
        return super().has_perm(user_obj, perm, obj)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                perms = perms.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in perms.values_list("content_type__app_label", "codename").distinct()
            }
        return user_obj._perm_cache
