"""What the benchmarks share: Django set up against a chosen database, and the demo texts."""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # Benchmarks measure the app on this machine, in development mode unless the caller chose
    # otherwise (bench/load.py runs production mode on purpose).
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def demo_terms() -> list[dict]:
    return json.loads((ROOT / "fixtures" / "demo_glossary.json").read_text())["terms"]


def seeded_name(n: int, demo: list[dict]) -> str:
    """The n-th seeded term's name: the demo glossary's names, numbered once they run out."""
    source = demo[n % len(demo)]
    return source["name"] if n < len(demo) else f"{source['name']} {n // len(demo) + 1}"
