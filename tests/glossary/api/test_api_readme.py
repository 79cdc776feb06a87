"""The README's curl examples work as written: the block is run verbatim against a live server."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from accounts.services import api_token_create
from glossary.models import Term, Watch

README = Path(__file__).resolve().parents[3] / "README.md"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def curl_block() -> str:
    section = README.read_text().split("### Try it with curl", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_readme_curl_examples_run_as_written(live_server, glossary_to_search, ada, ivan, marco):
    if not shutil.which("curl"):
        pytest.skip("curl is not installed")
    tokens = {
        name: api_token_create(user=user, name="README")[1]
        for name, user in {"TOKEN": ada, "IT_TOKEN": ivan, "MARKETING_TOKEN": marco}.items()
    }
    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", curl_block()],
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "BASE": live_server.url, **tokens},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"name": "Omnichannel"' in run.stdout
    assert "}304\n" in run.stdout  # the status line printed after the term's JSON
    assert '"state": "published"' in run.stdout
    assert Term.objects.get(name="Omnichannel").owner == "Digital experience team"
    assert '"target": "term", "term": "omnichannel"' in run.stdout
    watch = Watch.objects.get(user=ada)
    assert (watch.term.slug, watch.delivery) == ("omnichannel", Watch.Delivery.IMMEDIATE)
