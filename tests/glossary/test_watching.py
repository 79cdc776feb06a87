"""Watching a term, a tag or the whole glossary: who hears of what, the controls, unsubscribing."""

from dataclasses import replace

import pytest
from django.urls import reverse

from glossary.entries import Entry
from glossary.models import Proposal, Term, Watch, WatchNotice
from glossary.services import proposals as services
from glossary.services.watching import watch_set
from tests.workflow_helpers import (
    approve,
    login,
    mails_to,
    new_term_entry,
    outside_a_transaction,
    propose_change,
    send_queued_mail,
)

pytestmark = pytest.mark.django_db

IMMEDIATE, DAILY = Watch.Delivery.IMMEDIATE, Watch.Delivery.DAILY


@outside_a_transaction
def test_a_term_watcher_is_mailed_when_a_proposal_opens_and_when_it_publishes(
    ada, ivan, marco, maya, it, marketing, platform, mailoutbox
):
    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    proposal = propose_change(ada, platform, definitions={it.pk: "Shared tools.", marketing.pk: "A system."})
    send_queued_mail()
    [opened] = mails_to(mailoutbox, maya)
    assert "Ada Lindqvist proposed change of “Platform”: Say it better" in opened.body
    assert f"/proposals/{proposal.pk}/" in opened.body
    assert opened.extra_headers["List-Unsubscribe"].startswith("<http://")
    assert opened.content_subtype == "plain"

    approve(proposal, ivan)
    approve(proposal, marco)
    send_queued_mail()
    published = mails_to(mailoutbox, maya)[1]
    assert "“Platform” changed: Say it better" in published.subject
    assert "/terms/platform/" in published.body


@outside_a_transaction
def test_term_watchers_hear_of_each_new_revision_of_a_proposal_once_and_its_author_does_not(
    ada, ivan, maya, marco, it, marketing, platform, mailoutbox
):
    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    watch_set(user=marco, delivery=DAILY)  # the whole glossary, in the digest
    watch_set(user=ada, term=platform, delivery=IMMEDIATE)
    proposal = propose_change(ada, platform, definitions={it.pk: "Shared tools.", marketing.pk: "A system."})
    approve(proposal, ivan)
    services.proposal_update(
        proposal=proposal,
        user=ada,
        reason="Say it better",
        seen_revision=1,
        entry=replace(Entry.from_proposal(proposal), summary="Tools everyone builds on."),
    )
    send_queued_mail()
    revised = mails_to(mailoutbox, maya)[-1]
    assert revised.subject == (
        "[Common Ground] The proposal for “Platform” changed (revision 2), its sign-offs start again: Say it better"
    )
    assert f"/proposals/{proposal.pk}/" in revised.body
    assert mails_to(mailoutbox, ada) == []
    notices = WatchNotice.objects.filter(kind=WatchNotice.Kind.REVISED)
    assert sorted((n.user.username, n.delivery, n.event_key) for n in notices) == [
        ("marco", DAILY, f"revised:{proposal.pk}:2"),
        ("maya", IMMEDIATE, f"revised:{proposal.pk}:2"),
    ]


def test_moving_an_out_of_date_proposal_onto_the_new_version_is_a_revision_its_watchers_hear_of(
    ada, maya, ivan, marco, it, marketing, platform, django_capture_on_commit_callbacks
):
    watch_set(user=marco, term=platform, delivery=IMMEDIATE)
    first = propose_change(
        ada,
        platform,
        reason="IT wording",
        definitions={it.pk: "Preconfigured tools.", marketing.pk: "A complete system."},
    )
    second = propose_change(
        maya,
        platform,
        reason="Marketing wording",
        definitions={it.pk: "Tools to build on.", marketing.pk: "One system."},
    )
    approve(first, ivan)
    approve(first, marco)
    assert not WatchNotice.objects.filter(kind=WatchNotice.Kind.REVISED).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_rebase(proposal=second, user=maya)
    assert WatchNotice.objects.get(kind=WatchNotice.Kind.REVISED).event_key == f"revised:{second.pk}:2"


@outside_a_transaction
def test_a_term_watcher_hears_of_its_deprecation(ada, ivan, marco, maya, platform, make_term, mailoutbox):
    successor = make_term("Toolkit", it_text="Tools.", status=Term.Status.APPROVED)
    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    proposal = services.proposal_create(
        author=ada,
        reason="Nobody says it",
        term=platform,
        kind=Proposal.Kind.DEPRECATE,
        replaced_by=successor,
        entry=replace(Entry.from_term(platform), status=Term.Status.DEPRECATED),
    )
    approve(proposal, ivan)
    approve(proposal, marco)
    send_queued_mail()
    subjects = [m.subject for m in mails_to(mailoutbox, maya)]
    assert subjects[-1] == "[Common Ground] “Platform” is deprecated; use “Toolkit” instead"
    assert WatchNotice.objects.get(kind=WatchNotice.Kind.DEPRECATED).user == maya


@outside_a_transaction
def test_the_author_does_not_hear_of_their_own_proposal(ada, platform, mailoutbox):
    watch_set(user=ada, term=platform, delivery=IMMEDIATE)
    propose_change(ada, platform, summary="Common tools.")
    send_queued_mail()
    assert mails_to(mailoutbox, ada) == []


@outside_a_transaction
def test_tag_and_glossary_watchers_hear_of_a_new_term(ada, maya, marco, it, marketing, platform, mailoutbox):
    architecture = platform.tags.get()
    watch_set(user=maya, tag=architecture, delivery=IMMEDIATE)
    watch_set(user=marco, delivery=IMMEDIATE)
    services.proposal_create(
        author=ada, reason="We need it", entry=new_term_entry(it, marketing, name="Mesh", tags=["Architecture"])
    )
    services.proposal_create(author=ada, reason="And this", entry=new_term_entry(it, marketing, name="Lead"))
    send_queued_mail()
    assert [m.subject for m in mails_to(mailoutbox, maya)] == [
        "[Common Ground] Ada Lindqvist proposed a new term “Mesh”: We need it"
    ]
    glossary_mails = [m.body for m in mails_to(mailoutbox, marco) if "proposed a new term" in m.body]
    assert len(glossary_mails) == 2
    assert "the whole glossary" in glossary_mails[0]


@outside_a_transaction
def test_one_change_is_one_mail_however_many_watches_match(ada, maya, platform, mailoutbox):
    watch_set(user=maya, term=platform, delivery=DAILY)
    watch_set(user=maya, tag=platform.tags.get(), delivery=IMMEDIATE)
    watch_set(user=maya, delivery=DAILY)
    propose_change(ada, platform, summary="Common tools.")
    send_queued_mail()
    assert len(mails_to(mailoutbox, maya)) == 1
    notice = WatchNotice.objects.get(user=maya)
    assert (notice.delivery, notice.watch.target) == (IMMEDIATE, Watch.Target.TAG)


def test_nothing_is_recorded_while_events_are_held(ada, maya, platform):
    from glossary import events

    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    with events.held():
        propose_change(ada, platform, summary="Common tools.")
    assert not WatchNotice.objects.exists()


# --- the controls --------------------------------------------------------------------------------


def test_the_term_page_offers_watch_and_the_button_watches(client, maya, platform):
    login(client, maya)
    page = client.get(platform.get_absolute_url()).content.decode()
    assert '<label for="watch-term-delivery">Watch this term, telling me by</label>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    response = client.post(
        reverse("glossary:my_watches"), {"term": platform.slug, "delivery": DAILY, "next": platform.get_absolute_url()}
    )
    assert response.status_code == 302 and response.url == platform.get_absolute_url()
    watch = Watch.objects.get(user=maya)
    assert (watch.target, watch.term, watch.delivery) == (Watch.Target.TERM, platform, DAILY)
    page = client.get(platform.get_absolute_url()).content.decode()
    assert "You watch this term" in page and "Unwatch" in page


def test_a_tag_and_the_whole_glossary_are_watched_from_the_home_page(client, maya, platform):
    login(client, maya)
    assert "Watch the whole glossary" in client.get("/").content.decode()
    page = client.get("/", {"tag": "architecture"}).content.decode()
    assert "Watch terms tagged “Architecture”" in page
    client.post(reverse("glossary:my_watches"), {"tag": "architecture", "delivery": IMMEDIATE})
    client.post(reverse("glossary:my_watches"), {"delivery": DAILY})
    assert sorted(Watch.objects.filter(user=maya).values_list("target", "delivery")) == [
        ("glossary", DAILY),
        ("tag", IMMEDIATE),
    ]


def test_watching_again_changes_the_delivery_and_keeps_one_watch(client, maya, platform):
    login(client, maya)
    for delivery in (IMMEDIATE, DAILY, DAILY):
        client.post(reverse("glossary:my_watches"), {"term": platform.slug, "delivery": delivery})
    assert list(Watch.objects.values_list("delivery", flat=True)) == [DAILY]


def test_watching_a_term_that_does_not_exist_is_not_found(client, maya):
    login(client, maya)
    for slug in ("no-such-term", "bad\x00slug"):
        assert client.post(reverse("glossary:my_watches"), {"term": slug, "delivery": DAILY}).status_code == 404
    assert client.post(reverse("glossary:my_watches"), {"tag": "no-such-tag", "delivery": DAILY}).status_code == 404
    assert not Watch.objects.exists()


def test_an_unknown_delivery_says_how_to_choose_and_stores_nothing(client, maya, platform):
    login(client, maya)
    response = client.post(reverse("glossary:my_watches"), {"term": platform.slug, "delivery": "hourly"}, follow=True)
    assert (
        "Choose how to hear about changes: “An e-mail for each change” or “A daily digest”."
        in response.content.decode()
    )
    assert not Watch.objects.exists()


def test_my_watches_lists_them_and_removes_one(client, maya, platform):
    login(client, maya)
    assert "You watch no term or tag yet." in client.get(reverse("glossary:my_watches")).content.decode()
    watch = watch_set(user=maya, term=platform, delivery=DAILY)
    watch_set(user=maya, delivery=IMMEDIATE)
    page = client.get(reverse("glossary:my_watches")).content.decode()
    assert f'href="{platform.get_absolute_url()}">Platform</a>' in page and "You watch the whole glossary" in page
    response = client.post(reverse("glossary:watch_remove", args=[watch.pk]), follow=True)
    assert "You no longer watch the term “Platform”." in response.content.decode()
    assert list(Watch.objects.values_list("target", flat=True)) == ["glossary"]


def test_a_persons_watches_come_whole_glossary_first_then_tags_then_terms_by_name(maya, platform, make_term):
    from glossary.models import Tag
    from glossary.selectors.watching import watches_of

    agile = make_term("Agile", it_text="Sprints.")
    watch_set(user=maya, term=platform, delivery=DAILY)
    watch_set(user=maya, tag=Tag.objects.get(name="Architecture"), delivery=DAILY)
    watch_set(user=maya, term=agile, delivery=DAILY)
    watch_set(user=maya, delivery=IMMEDIATE)
    assert [w.describe() for w in watches_of(maya)] == [
        "the whole glossary",
        "terms tagged “Architecture”",
        "the term “Agile”",
        "the term “Platform”",
    ]


def test_nobody_removes_someone_elses_watch(client, maya, marco, platform):
    watch = watch_set(user=marco, term=platform, delivery=DAILY)
    login(client, maya)
    assert client.post(reverse("glossary:watch_remove", args=[watch.pk])).status_code == 404
    assert Watch.objects.filter(pk=watch.pk).exists()


def test_watching_needs_a_login(client, platform):
    response = client.post(reverse("glossary:my_watches"), {"term": platform.slug, "delivery": DAILY})
    assert response.status_code == 302 and reverse("login") in response.url
    assert not Watch.objects.exists()


# --- unsubscribing from a mail -------------------------------------------------------------------


def unsubscribe_link(mail) -> str:
    return mail.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def watched_mail(ada, maya, platform, mailoutbox, settings):
    """The mail Maya gets of a proposal; the tests that use it run outside a test transaction."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    watch_set(user=maya, delivery=DAILY)
    propose_change(ada, platform, summary="Common tools.")
    send_queued_mail()
    [mail] = mails_to(mailoutbox, maya)
    return mail


@outside_a_transaction
def test_the_unsubscribe_link_asks_then_removes_that_watch_without_a_login(client, watched_mail):
    link = unsubscribe_link(watched_mail)
    assert f"Stop: http://127.0.0.1:8000{link}" in watched_mail.body
    page = client.get(link)
    assert page.status_code == 200
    assert "Stop watching the term “Platform”?" in page.content.decode()
    assert Watch.objects.count() == 2  # a mail scanner following the link removes nothing
    done = client.post(link)
    assert "Done: you no longer watch the term “Platform”." in done.content.decode()
    assert list(Watch.objects.values_list("target", flat=True)) == ["glossary"]
    assert "these watches were already gone" in client.post(link).content.decode()


@outside_a_transaction
def test_a_tampered_unsubscribe_link_says_so_and_removes_nothing(client, watched_mail):
    link = unsubscribe_link(watched_mail)
    token = link.split("/")[-2]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "not-a-token", token[: len(token) // 2]):
        bad_link = reverse("glossary:unsubscribe", args=[bad])
        for response in (client.get(bad_link), client.post(bad_link)):
            assert response.status_code == 400
            assert "This unsubscribe link is not valid" in response.content.decode()
    assert Watch.objects.count() == 2


@outside_a_transaction
def test_a_reason_over_several_lines_still_makes_a_one_line_subject(ada, maya, platform, mailoutbox):
    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    propose_change(ada, platform, reason="First line\nSecond line\r\n" + "long " * 200, summary="Common tools.")
    send_queued_mail()
    [mail] = mails_to(mailoutbox, maya)
    assert mail.subject.startswith(
        "[Common Ground] Ada Lindqvist proposed change of “Platform”: First line Second line long"
    )
    assert "\n" not in mail.subject and mail.subject.endswith("…")
    assert mail.message()["Subject"]  # the mail is well formed, headers and all


def test_glossary_admins_see_watches_and_sent_notices_read_only(
    admin_client, ada, maya, platform, django_capture_on_commit_callbacks
):
    watch = watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        propose_change(ada, platform, summary="Common tools.")
    notices = admin_client.get(reverse("admin:glossary_watchnotice_changelist")).content.decode()
    assert "Ada Lindqvist proposed change of “Platform”" in notices
    assert "Maya Brennan" in admin_client.get(reverse("admin:glossary_watch_changelist")).content.decode()
    assert admin_client.get(reverse("admin:glossary_approverreminder_changelist")).status_code == 200
    assert (
        admin_client.post(reverse("admin:glossary_watch_delete", args=[watch.pk]), {"post": "yes"}).status_code == 403
    )
    assert Watch.objects.filter(pk=watch.pk).exists()
