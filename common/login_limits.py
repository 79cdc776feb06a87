"""Two log-in limits: per username and address (axes' own), and per address across usernames.

Axes counts failures for each of its lock-out parameters but compares the largest count with one
limit, so it cannot say "5 per username from an address, 30 from an address in all". Its own
count stays the per-username one; this handler adds the per-address count beside it, so that
guessing one password across many usernames is limited too.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failed log-ins from this request's client address, for any username, within the cool-off."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PerAddressLimitHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            # An address over its own limit is at the limit for every username it tries.
            return max(failures, get_failure_limit(request, credentials))
        return failures
