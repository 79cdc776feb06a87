from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q

from accounts.roles import EVERY_PAGE_PERMISSIONS


def _holds(perm: str):
    app_label, codename = perm.split(".")
    grants = Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
    return Exists(Permission.objects.filter(grants, codename=codename, content_type__app_label=app_label))


def _annotation(perm: str) -> str:
    return "holds_" + perm.replace(".", "__")


class DepartmentAwareBackend(ModelBackend):
    """The standard backend with fewer queries per page.

    The user's department, navigation badges and the permissions every page asks about come with
    the user in one query; any other permission loads all of them in one more.
    """

    def get_user(self, user_id):
        from glossary.selectors.proposals import with_navigation_counts

        users = get_user_model()._default_manager.select_related("department")
        users = with_navigation_counts(users).annotate(**{_annotation(p): _holds(p) for p in EVERY_PAGE_PERMISSIONS})
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        held = getattr(user_obj, _annotation(perm), None)
        if held is not None and obj is None and not hasattr(user_obj, "_perm_cache"):
            return user_obj.is_active and bool(held)
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
