"""Who is calling the API.

Reading follows the pages: the signed-in user (their browser session, with Django's CSRF check on
anything that writes), or anyone when GLOSSARY_PUBLIC_READ opens the glossary to everyone.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from ninja.security import SessionAuth


class ReadAccess(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None and settings.GLOSSARY_PUBLIC_READ:
            # Any truthy value lets the call through; request.user stays anonymous.
            return AnonymousUser()
        return user


read_access = ReadAccess()


def may_read(request) -> bool:
    """Whether the call will be let through to read: asked before the call runs (by the ETag check,
    which must not tell a stranger that nothing has changed)."""
    return bool(read_access(request))
