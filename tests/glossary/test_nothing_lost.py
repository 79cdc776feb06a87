"""A failure halfway through publishing changes nothing; a backup restores everything."""

import io
import json
from tempfile import NamedTemporaryFile

import pytest
from django.core.management import call_command

from glossary.entries import Entry
from glossary.models import Comment, Definition, Proposal, SignOff, Term
from glossary.services import proposals as services
from glossary.services import terms as term_services
from tests.workflow_helpers import approve, new_term_entry


def test_a_failure_after_the_first_write_of_a_publish_leaves_everything_as_it_was(
    make_term, ada, ivan, marco, it, marketing, monkeypatch
):
    term = make_term("Platform", it_text="Tools.", marketing_text="A system.")
    proposal = services.proposal_create(
        author=ada,
        reason="Reword",
        term=term,
        entry=Entry(
            **{**Entry.from_term(term).__dict__, "definitions": {it.pk: "New tools.", marketing.pk: "New system."}}
        ),
    )
    approve(proposal, ivan)
    before = (
        Entry.from_term(term),
        term.version,
        term.history.count(),
        Definition.history.count(),
        SignOff.objects.count(),
        Proposal.objects.get(pk=proposal.pk).state,
    )

    real_write = term_services._write_definitions

    def fail_after_first_write(**kwargs):
        real_write(**kwargs)  # the definitions are written...
        raise RuntimeError("disk full")  # ...and then something breaks

    monkeypatch.setattr(term_services, "_write_definitions", fail_after_first_write)
    proposal.refresh_from_db()
    with pytest.raises(RuntimeError):
        services.proposal_approve(proposal=proposal, user=marco, comment="", seen_revision=1)

    term.refresh_from_db()
    after = (
        Entry.from_term(term),
        term.version,
        term.history.count(),
        Definition.history.count(),
        SignOff.objects.count(),
        Proposal.objects.get(pk=proposal.pk).state,
    )
    assert after == before


# Flushing needs real transactions (PostgreSQL cannot truncate inside the test's own).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_with_dumpdata_restores_every_term_version_and_sign_off(
    make_term, ada, ivan, marco, maya, it, marketing
):
    published = services.proposal_create(author=ada, reason="New", entry=new_term_entry(it, marketing, name="Lead"))
    approve(published, ivan)
    approve(published, marco)
    pending = services.proposal_create(author=maya, reason="Other", entry=new_term_entry(it, marketing, name="Latency"))
    services.proposal_comment(proposal=pending, user=ivan, body="Which latency?")
    make_term("Cloud", it_text="Rented infrastructure.")

    def state():
        return {
            "terms": sorted((t.name, t.version, t.approval_id) for t in Term.objects.all()),
            "definitions": sorted(Definition.objects.values_list("term__name", "department__slug", "text")),
            "term_versions": sorted(
                Term.history.values_list("history_id", "name", "history_user__username", "history_change_reason")
            ),
            "definition_versions": Definition.history.count(),
            "sign_offs": sorted(
                SignOff.objects.values_list("proposal_id", "department__slug", "approver__username", "decision")
            ),
            "proposals": sorted(Proposal.objects.values_list("pk", "name", "state", "revision")),
            "comments": list(Comment.objects.values_list("body", flat=True)),
        }

    before = state()
    backup = io.StringIO()
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--exclude",
        "contenttypes",
        "--exclude",
        "auth.permission",
        "--exclude",
        "sessions",
        "--exclude",
        "axes",
        "--exclude",
        "django_tasks_database",
        stdout=backup,
    )
    call_command("flush", "--no-input")
    assert not Term.objects.exists() and not Term.history.exists()

    data = json.loads(backup.getvalue())
    assert any(record["model"] == "glossary.historicalterm" for record in data)
    with NamedTemporaryFile("w", suffix=".json") as file:
        file.write(backup.getvalue())
        file.flush()
        call_command("loaddata", file.name, verbosity=0)
    assert state() == before
