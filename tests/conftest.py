import pytest
from django.utils import timezone

from accounts import roles
from accounts.models import Department
from glossary.models import Term
from glossary.services.proposals import proposal_create
from glossary.services.terms import tags_from_names, term_create, term_save
from tests.workflow_helpers import new_term_entry, person


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Each test starts with an empty cache: rolled-back tests can reuse ids, and so the glossary's
    fingerprint, of an earlier test's different data."""
    from django.core.cache import cache, caches

    cache.clear()
    yield
    # The limits' counts live in a database table that a rolled-back test leaves empty, but that
    # no flush of a transactional test clears.
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (marker and marker.kwargs.get("transaction")):
        caches["limits"].clear()


@pytest.fixture
def site(settings):
    """The address the glossary's files and feeds name it by."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    return settings.SITE_URL


@pytest.fixture
def it(db):
    return Department.objects.get(slug="it")


@pytest.fixture
def marketing(db):
    return Department.objects.get(slug="marketing")


@pytest.fixture
def make_user(db):
    return person


@pytest.fixture
def ada(make_user, it):
    return make_user("ada", department=it, first_name="Ada", last_name="Lindqvist", email="ada@example.com")


@pytest.fixture
def admin_user(make_user):
    return make_user("root", role=roles.GLOSSARY_ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    """The test's own `client`, logged in as the glossary admin `admin_user`."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def make_term(ada, it, marketing):
    def make(name, *, it_text="", marketing_text="", user=None, tags=(), **fields):
        definitions = {}
        if it_text:
            definitions[it] = it_text
        if marketing_text:
            definitions[marketing] = marketing_text
        return term_create(
            name=name,
            user=user or ada,
            reason="Test term",
            fields=fields,
            definitions=definitions,
            tags=tags_from_names(tags, user=user or ada),
        )

    return make


@pytest.fixture
def reader_client(client, ada):
    client.force_login(ada)
    return client


@pytest.fixture
def admin_client_with_a_term(client, admin_user, make_term):
    """Like `admin_client`, with the term Platform made first, so an import meets a glossary that is not empty."""
    make_term("Platform", it_text="Tools to build on.", marketing_text="A complete system.", tags=["Architecture"])
    client.force_login(admin_user)
    return client


@pytest.fixture
def ivan(make_user, it):
    return make_user(
        "ivan", department=it, role=roles.APPROVER, first_name="Ivan", last_name="Okafor", email="ivan@example.com"
    )


@pytest.fixture
def ines(make_user, it):
    return make_user(
        "ines", department=it, role=roles.APPROVER, first_name="Ines", last_name="Berg", email="ines@example.com"
    )


@pytest.fixture
def maya(make_user, marketing):
    return make_user("maya", department=marketing, first_name="Maya", last_name="Brennan", email="maya@example.com")


@pytest.fixture
def marco(make_user, marketing):
    return make_user(
        "marco",
        department=marketing,
        role=roles.APPROVER,
        first_name="Marco",
        last_name="Silva",
        email="marco@example.com",
    )


@pytest.fixture
def proposal(ada, it, marketing, ivan, marco, django_capture_on_commit_callbacks):
    """Ada's new term Omnichannel in review, proposed once IT's and Marketing's approvers (Ivan and
    Marco) exist, with the e-mails it causes queued on commit for the mail worker
    (tests.workflow_helpers.send_queued_mail sends them)."""
    with django_capture_on_commit_callbacks(execute=True):
        return proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))


@pytest.fixture
def proposal_without_emails(ada, it, marketing):
    """The same proposal as `proposal`, made before any approver exists; its on-commit e-mails are never queued."""
    return proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))


@pytest.fixture
def glossary_to_search(make_term):
    """Four terms the search tests look for by name, abbreviation, synonym and definition words."""
    make_term(
        "Omnichannel",
        synonyms="cross-channel",
        it_text="Fully integrated systems with real-time data flow to every end point.",
        marketing_text="A consistent customer experience at every touchpoint.",
    )
    make_term(
        "Key performance indicator",
        abbreviation="KPI",
        synonyms="success metric",
        it_text="A monitored service level such as uptime.",
        marketing_text="A number the campaign is judged by.",
    )
    make_term(
        "Organic search",
        it_text="Traffic arriving from unpaid search engine results.",
        marketing_text="Visitors we did not pay for, earned through content.",
    )
    make_term("Firewall", it_text="A filter on network traffic between zones.")


@pytest.fixture
def glossary_in_every_status(make_term):
    """Two approved terms (one with Markdown, a summary and a tag), one in review and one deprecated."""
    make_term(
        "Omnichannel",
        it_text="Fully **integrated** systems with real-time data flow.",
        marketing_text="A consistent experience at every touchpoint.",
        summary="One experience across channels.",
        status=Term.Status.APPROVED,
        tags=["Customer experience"],
    )
    make_term(
        "API",
        it_text="A contract between programs.",
        marketing_text="What connects our tools.",
        status=Term.Status.APPROVED,
    )
    make_term("Budget", it_text="Run and change cost.", marketing_text="Media spend.", status=Term.Status.IN_REVIEW)
    make_term("Web 2.0", it_text="Old.", status=Term.Status.DEPRECATED)


@pytest.fixture
def glossary_to_export(make_term, ada):
    """Two approved terms with every field filled, tags, a related term and a definition a spreadsheet
    would run as a formula; returns them."""
    api = make_term(
        "API",
        it_text="A contract between programs:\n\n- endpoints\n- formats",
        marketing_text="What connects our tools.",
        summary="A documented way for software to talk.",
        synonyms="application programming interface",
        examples='- IT: "rate limits"',
        status=Term.Status.APPROVED,
        tags=["Architecture", "Data"],
    )
    omni = make_term(
        "Omnichannel",
        it_text="Integrated systems.",
        marketing_text='=HYPERLINK("http://evil.example","click")',
        status=Term.Status.APPROVED,
    )
    term_save(term=api, user=ada, reason="Link", related_terms=[omni])
    return [api, omni]


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves by hand (`tests.glossary.dashboard.dashboard_history.Clock`), read by `timezone.now`."""
    from tests.glossary.dashboard.dashboard_history import Clock

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def signed_off_term(ada, ivan, marco, it, marketing, make_term):
    """Omnichannel as the workflow publishes it: proposed by Ada with synonyms, a tag and a related
    term, approved by IT's and Marketing's approvers (Ivan and Marco); its version 1."""
    from glossary.services.proposals import proposal_approve
    from tests.workflow_helpers import new_term_entry

    related = make_term("Channel", it_text="A way in.")
    entry = new_term_entry(
        it,
        marketing,
        synonyms="cross-channel\nomni-channel",
        tags=("Customer experience",),
        summary="One experience, every channel.",
        related_terms={related.pk: related.name},
    )
    proposal = proposal_create(author=ada, reason="Settle the word", entry=entry)
    for approver in (ivan, marco):
        proposal.refresh_from_db()
        proposal = proposal_approve(proposal=proposal, user=approver, comment="", seen_revision=proposal.revision)
    assert proposal.state == proposal.State.PUBLISHED
    return Term.objects.get(pk=proposal.term_id)
