"""Scale-out: two real app servers (gunicorn, production mode) share PostgreSQL and Redis, and
nothing that matters lives in either process: sessions, the PDF cache and its invalidation all
work across them."""

import re

import pytest

from glossary.caching import cached_pdf
from glossary.interchange.options import ExportOptions
from glossary.models import Proposal, Term
from tests.app_servers import (
    SERVER_SETTINGS,
    Browser,
    collected_static,
    database_url,
    production_environment,
    serving,
)
from tests.databases import REDIS_GROUP, REDIS_SHARED_URL, postgres_only
from tests.interchange.pdfs import pdf_text

pytestmark = [pytest.mark.slow, REDIS_GROUP]

REDIS_URL = REDIS_SHARED_URL
OLD_WORDING = "One experience across channels."
NEW_WORDING = "The same customer journey whichever channel is used."


@pytest.fixture(autouse=True)
def fast_passwords():
    """Overrides conftest's MD5 hasher: the servers verify passwords with the default hasher."""


@pytest.fixture
def shared_redis(settings):
    """The shared Redis db (REDIS_SHARED_URL), empty before and after; this process's cache points there too, to look inside."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}: the app servers need one to share")
    client.flushdb()
    prefix = settings.CACHES["default"]["KEY_PREFIX"]  # the servers run this release too
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield client
    client.flushdb()


@pytest.fixture
def two_app_servers(transactional_db, shared_redis, tmp_path, tmp_path_factory):
    """Gunicorn A and B, one worker each, in production mode on the test database and one Redis."""
    (tmp_path / "scale_out_settings.py").write_text(
        SERVER_SETTINGS.format(static_root=collected_static(tmp_path_factory))
    )
    env = production_environment(tmp_path, "scale_out_settings", DATABASE_URL=database_url(), REDIS_URL=REDIS_URL)
    with serving(env, tmp_path) as servers:
        yield servers


def pdf_keys(redis_client) -> list[bytes]:
    return redis_client.keys("*glossary-pdf:*")


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pdf_cached_by_one_app_server_is_served_by_the_other_until_a_publish_there_makes_it_stale(
    two_app_servers, shared_redis, make_term, ada, maya, ivan, marco
):
    """A renders the PDF once into Redis; B serves those very bytes to the same session. A change
    published through B's sign-off forms then reaches A: its next PDF has the new wording."""
    a, b = two_app_servers
    make_term(
        "Omnichannel",
        it_text="Integrated systems.",
        marketing_text="A consistent experience.",
        summary=OLD_WORDING,
        status=Term.Status.APPROVED,
    )
    make_term(
        "API",
        it_text="A contract between programs.",
        marketing_text="What connects our tools.",
        status=Term.Status.APPROVED,
    )
    make_term("Lead", it_text="A CRM record.", marketing_text="A prospect.", status=Term.Status.APPROVED)

    reader = Browser()
    reader.log_in(a, "ada")
    first = reader.get(f"{a.url}/export/glossary.pdf")
    assert (first.status, first.content_type) == (200, "application/pdf"), a.output()
    assert OLD_WORDING in pdf_text(first.body)
    assert len(pdf_keys(shared_redis)) == 1
    assert cached_pdf(ExportOptions()) == first.body, "A's PDF is in Redis, under the key any server computes"

    # The session made on A is valid on B, and B serves A's PDF from Redis: two renders never give
    # the same bytes (each PDF gets a fresh document ID), so identical bytes mean B did not render.
    from_b = reader.get(f"{b.url}/export/glossary.pdf")
    assert from_b.status == 200, b.output()
    assert from_b.body == first.body, "B rendered a PDF of its own instead of serving A's from Redis"
    assert len(pdf_keys(shared_redis)) == 1

    # Maya proposes new common ground on B; IT and Marketing approve it through B's sign-off form.
    proposer = Browser()
    proposer.log_in(b, "maya")
    proposed = proposer.post(
        f"{b.url}/terms/omnichannel/propose/",
        {
            "name": "Omnichannel",
            "summary": NEW_WORDING,
            "definition_it": "Integrated systems.",
            "definition_marketing": "A consistent experience.",
            "reason": "Both departments agreed on this wording.",
        },
    )
    match = re.search(r"/proposals/(\d+)/$", proposed.url)
    assert proposed.status == 200 and match, b.output() or proposed.text
    proposal_url = f"{b.url}/proposals/{match[1]}/"
    for username in ("ivan", "marco"):
        approver = Browser()
        approver.log_in(b, username)
        revision = re.search(r'name="revision" value="(\d+)"', approver.get(proposal_url).text)[1]
        decided = approver.post(f"{proposal_url}approve/", {"revision": revision, "comment": ""})
        assert decided.status == 200 and decided.url == proposal_url, b.output() or decided.text
    assert "state-published" in decided.text
    assert Proposal.objects.get(pk=match[1]).state == Proposal.State.PUBLISHED
    assert Term.objects.get(slug="omnichannel").summary == NEW_WORDING

    # A did not keep its copy: the publish on B changed the key every server looks up.
    second = reader.get(f"{a.url}/export/glossary.pdf")
    assert second.status == 200, a.output()
    assert second.body != first.body, "A served its stale cached PDF after the publish on B"
    text = pdf_text(second.body)
    assert NEW_WORDING in text and OLD_WORDING not in text
    assert cached_pdf(ExportOptions()) == second.body
