"""Counters every app server shares: how often a client did something a limit caps.

Each app server process has its own memory, so a count kept there lets a client through once per
process (behind gunicorn with four workers, four times the limit) and answers the same client
alternately yes and no. The counts live in the `limits` cache instead: Redis when REDIS_URL names
one, else a table in the database (`common_limits`, made by this app's migration), which every
process sees.

Counts run in fixed windows: a client refused stays refused until its window ends. Redis counts
simultaneous calls exactly; the database cache reads and writes a count in two steps, so calls
arriving at the very same moment may be counted once.
"""

import time
from dataclasses import dataclass

from django.core.cache import caches


@dataclass(frozen=True)
class Limit:
    """At most `limit` events per `window` seconds for each client, under the name `name`."""

    name: str
    limit: int
    window: int

    def reached(self, client: str | None) -> bool:
        return (caches["limits"].get(self._key(client)) or 0) >= self.limit

    def count(self, client: str | None) -> int:
        """One more event for `client`; returns its count in this window."""
        cache, key = caches["limits"], self._key(client)
        # A key names its window, so it is never read after the window ends, however long it lives.
        cache.add(key, 0, timeout=self.window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=self.window)
            return 1
        # The database cache's incr writes the count back with the cache's default timeout.
        cache.touch(key, timeout=self.window)
        return count

    def seconds_left(self) -> int:
        return self.window - int(time.time()) % self.window

    def _key(self, client: str | None) -> str:
        return f"{self.name}:{client}:{int(time.time()) // self.window}"
