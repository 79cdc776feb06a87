from django.conf import settings

from accounts import roles
from glossary import caching, workflow
from glossary.selectors.proposals import navigation_counts


def site(request):
    user = getattr(request, "user", None)
    context = {"organisation": settings.GLOSSARY_ORGANISATION}
    if user is not None and user.is_authenticated:
        context["nav_counts"] = caching.navigation_counts(user, lambda: navigation_counts(user))
        context["can_propose"] = workflow.can_propose(user)
        context["can_import"] = workflow.can_import(user)
        context["is_approver"] = bool(user.department_id and user.has_perm(roles.SIGN_OFF))
        context["can_manage_webhooks"] = user.has_perm(roles.MANAGE_WEBHOOKS)
    return context
