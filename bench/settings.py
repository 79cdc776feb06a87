"""Settings for load runs: the project's, with the bare comparison view mounted at /__bare__/."""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.bare_urls"
