"""Benchmark: word diffs in the worst case, per field at its maximum length, and the pages showing them.

    .venv/bin/python bench/diffs.py [--runs 5] [--requests 20] [--profile]

Part one times glossary.diffs.word_diff for every field at its maximum length and every
adversarial pattern (the median of --runs runs), next to a bare baseline timed in the same run:
tokenizing and escaping the same two texts, the least any word diff must do. "marked" is the
share of the two texts shown as deleted or inserted: small when the diff found the edits, 100%
when it fell back to marking everything between the common ends. For the Markdown fields it also
times glossary.rendered_diffs.rendered_diff (the formatted diff the pages show first), with its
cache and Markdown's emptied before each run, next to its own baseline: rendering the two texts.

Part two builds, on a throw-away SQLite database, a term whose every field is at its maximum,
changes it directly (so the proposal page also shows what changed meanwhile), and a proposal
against it with every field at its maximum too, each field's content taken from its slowest
pattern in part one (by word diff). It then times the proposal page and, after publishing, the
term's history page, through Django's test client and the whole middleware stack (p50 and max over
--requests requests after a first one; the first is shown apart), with the part spent in word
diffs and in rendered diffs (which a process remembers, so they are shown for the first request and
the rest); and the term page, which shows the same texts as Markdown and no diff, for comparison. --profile prints
where each page's time goes.
"""

import argparse
import cProfile
import os
import pstats
import random
import re
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import demo_terms, setup_django  # noqa: E402

# The maxima enforced at input; tags are at most 20 of 60 characters, shown joined by ", ".
FIELDS = {
    "name": 120,
    "abbreviation": 30,
    "synonyms": 2_000,
    "tags": 20 * 60 + 19 * 2,
    "common ground": 5_000,
    "examples": 10_000,
    "definition": 20_000,
}
SENTENCE = "The customer sees one brand and one price on every channel, online or in the shop. "
VOCABULARIES = [
    "the of and to in a is that for it as with on by this are or at from data customer channel brand".split(),
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron sigma".split(),
    "one two three four five six seven eight nine ten eleven twelve".split(),
]
PUNCTUATION = list(".,;:!?-()'\"/")
# Fields written in Markdown: the pages show their rendered diff as well as the word diff.
MARKDOWN_FIELDS = {"common ground", "examples", "definition"}


def fit(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def edit_words(text: str, count: int, seed: int) -> str:
    """Replace `count` words, at random places, by others of the same length (none for seed 0)."""
    if seed == 0:
        return text
    rnd = random.Random(seed)
    parts = re.split(r"(\s+)", text)
    words = range(0, len(parts), 2)  # between the whitespace runs
    for i in rnd.sample(words, min(count, len(words))):
        parts[i] = ("y" if parts[i][:1] == "z" else "z") * len(parts[i])
    return "".join(parts)


def random_words(vocabulary: list[str], length: int, seed: int) -> str:
    rnd, words, size = random.Random(seed), [], 0
    while size < length:
        words.append(rnd.choice(vocabulary))
        size += len(words[-1]) + 1
    return " ".join(words)[:length]


def prose(length: int) -> str:
    texts = [body for term in demo_terms() for body in term["definitions"].values()]
    return fit(" ".join(texts) + " ", length)


def shuffled_lines(length: int, seed: int) -> str:
    lines = [f"item {n:04d}" for n in range(length // 10 + 1)]
    random.Random(seed).shuffle(lines)
    return "\n".join(lines)[:length]


def long_word(length: int, seed: int) -> str:
    letters = ["x"] * length
    if seed:
        letters[random.Random(seed).randrange(length)] = "y"
    return "".join(letters)


def edit_one_in(text: str, every: int, seed: int) -> str:
    return edit_words(text, len(text.split()) // every, seed)


# name -> (maximum length, seed) -> one version of a text at that length. Seeds 0 and 1 give the old
# and the new text; seed 2 a third version, for the page's change made meanwhile.
PATTERNS = {
    "one word repeated, 10 edits": lambda n, seed: edit_words(fit("a ", n), 10, seed),
    "one word repeated, 1 edit in 20": lambda n, seed: edit_one_in(fit("a ", n), 20, seed),
    "sentence repeated, 10 edits": lambda n, seed: edit_words(fit(SENTENCE, n), 10, seed),
    "sentence repeated, 1 edit in 20": lambda n, seed: edit_one_in(fit(SENTENCE, n), 20, seed),
    "prose, 1 edit in 8": lambda n, seed: edit_one_in(prose(n), 8, seed),
    "same words reshuffled": lambda n, seed: random_words(VOCABULARIES[0], n, seed),
    "no word in common": lambda n, seed: random_words(VOCABULARIES[seed % 3], n, seed),
    "one long word, 1 letter changed": long_word,
    # Two words a line ("- a"): one edit in 40 words is one line in 20.
    "short lines repeated, 1 edit in 20": lambda n, seed: edit_one_in(fit("- a\n", n), 40, seed),
    "short lines reshuffled": shuffled_lines,
    "punctuation only": lambda n, seed: random_words(PUNCTUATION, n, seed),
}


def versions(pattern: str, length: int, count: int) -> list[str]:
    return [PATTERNS[pattern](length, seed) for seed in range(count)]


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def time_diffs(runs: int) -> dict[str, str]:
    """Print a row per field and pattern, and each field's slowest; returns each field's slowest pattern."""
    from django.utils.html import escape

    from glossary.diffs import EQUAL, diff_pieces, tokenize, word_diff
    from glossary.rendered_diffs import rendered_diff
    from glossary.rendering import render_markdown

    def bare(old, new):
        return tokenize(old), tokenize(new), escape(old), escape(new)

    def uncached(function):
        def run(old, new):
            render_markdown.cache_clear()
            rendered_diff.cache_clear()
            return function(old, new)

        return run

    def render_both(old, new):
        return render_markdown(old), render_markdown(new)

    print(
        f"{'field':<14} {'chars':>6}  {'pattern':<35} {'diff ms':>8} {'bare ms':>8} {'ratio':>7} {'marked':>7}"
        f"  {'rendered ms':>11} {'render ms':>9} {'ratio':>7}"
    )
    slowest = {}
    for field, length in FIELDS.items():
        rows = []
        for pattern in PATTERNS:
            old, new = versions(pattern, length, 2)
            diff = median_ms(partial(word_diff, old, new), runs)
            baseline = median_ms(partial(bare, old, new), runs)
            marked = sum(len(text) for op, text in diff_pieces(old, new) if op != EQUAL) / (len(old) + len(new))
            rendered, formatted = "", 0.0
            if field in MARKDOWN_FIELDS:
                formatted = median_ms(partial(uncached(rendered_diff), old, new), runs)
                rendering = median_ms(partial(uncached(render_both), old, new), runs)
                rendered = f"  {formatted:>11.2f} {rendering:>9.2f} {formatted / rendering:>6.1f}x"
            print(
                f"{field:<14} {length:>6}  {pattern:<35} {diff:>8.2f} {baseline:>8.2f} {diff / baseline:>6.1f}x "
                f"{marked:>7.1%}{rendered}"
            )
            rows.append((diff, pattern))
        diff, slowest[field] = max(rows)
        print(f"{'':<14} {'':>6}  {'slowest: ' + slowest[field]:<44} {diff:>8.2f} ms\n")
    return slowest


def build_pages(slowest: dict[str, str]):
    """The worst-case term and proposal: returns the proposal page's URL, the term's history and
    term pages' URLs, and a function that publishes the proposal."""
    from django.apps import apps
    from django.core.management import call_command

    from accounts.demo import create_demo_users
    from accounts.models import Department, User
    from accounts.roles import sync_role_groups
    from glossary.entries import Entry
    from glossary.models import Proposal, Term
    from glossary.services import proposals as services
    from glossary.services.terms import tags_from_names, term_create, term_save

    call_command("migrate", verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)  # the flush removed the seeded departments and roles
    # Three departments write definitions; Finance does not sign off, so the demo approvers can publish.
    for name, slug, position, signs in [
        ("IT", "it", 10, True),
        ("Marketing", "marketing", 20, True),
        ("Finance", "finance", 30, False),
    ]:
        Department.objects.update_or_create(
            slug=slug, defaults={"name": name, "position": position, "signs_off": signs}
        )
    sync_role_groups(apps)
    create_demo_users()
    users = {u.username: u for u in User.objects.all()}
    departments = list(Department.objects.order_by("position"))

    # Three versions of every field: the term, the term changed meanwhile, the proposal.
    texts = {field: versions(slowest[field], length, 3) for field, length in FIELDS.items()}
    names = [f"Worst case {n} " + text[: FIELDS["name"] - 13] for n, text in enumerate(texts["name"])]
    # Synonyms are one per line, each a name of at most 120 characters.
    synonyms = [re.sub(r"(.{100})", "\\1\n", text) for text in texts["synonyms"]]
    # Tags and related terms are sets of names: 20 tags of 60 characters, 20 related terms of 120.
    tag_sets = [[f"t{n}{i:02d} " + re.sub(r"[\n,;]", " ", texts["tags"][n][:55]) for i in range(20)] for n in range(3)]
    related_sets = [
        [
            term_create(
                name=f"Related {n}{i:02d} " + texts["name"][n][:107],
                user=users["admin"],
                reason="Related",
                definitions={departments[0]: "Related."},
            )
            for i in range(20)
        ]
        for n in range(3)
    ]

    def content(n):
        return {
            "fields": {
                "name": names[n],
                "abbreviation": texts["abbreviation"][n],
                "synonyms": synonyms[n],
                "summary": texts["common ground"][n],
                "examples": texts["examples"][n],
            },
            "definitions": dict.fromkeys(departments, texts["definition"][n]),
            "tags": tags_from_names(tag_sets[n], user=users["admin"]),
            "related_terms": related_sets[n],
        }

    first = content(0)
    term = term_create(name=first["fields"].pop("name"), user=users["admin"], reason="Worst case", **first)
    proposal_content = content(2)
    entry = Entry(
        **proposal_content["fields"],
        tags=tuple(tag_sets[2]),
        related_terms={t.pk: t.name for t in related_sets[2]},
        definitions={d.pk: text for d, text in proposal_content["definitions"].items()},
    )
    proposal = services.proposal_create(author=users["maya"], reason="Worst case", entry=entry, term=term)
    term_save(term=Term.objects.get(pk=term.pk), user=users["admin"], reason="Changed meanwhile", **content(1))

    def publish():
        def approve(username):
            p = Proposal.objects.get(pk=proposal.pk)
            services.proposal_approve(proposal=p, user=users[username], comment="", seen_revision=p.revision)

        approve("ivan")
        approve("marco")  # refused: the term changed meanwhile, so the proposal is out of date
        services.proposal_rebase(proposal=Proposal.objects.get(pk=proposal.pk), user=users["maya"])
        approve("ivan")
        approve("marco")
        assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.PUBLISHED

    slug = Term.objects.get(pk=term.pk).slug
    return f"/proposals/{proposal.pk}/", f"/terms/{slug}/history/", f"/terms/{slug}/", publish


def time_page(client, url: str, requests: int, profile: bool) -> dict:
    """The page's time, and the part of it spent in diffs, word and rendered (timed by wrapping
    them where pages call them)."""
    from glossary import entries

    spent = [0.0, 0.0]  # in word diffs, in rendered diffs
    word_diff, rendered_diff = entries.word_diff, entries.rendered_diff

    def timed(function, kind):
        def run(old, new):
            start = time.perf_counter()
            try:
                return function(old, new)
            finally:
                spent[kind] += time.perf_counter() - start

        return run

    entries.word_diff, entries.rendered_diff = timed(word_diff, 0), timed(rendered_diff, 1)
    try:
        start = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - start) * 1000
        first_rendered = spent[1] * 1000
        assert response.status_code == 200, (url, response.status_code)
        times, diff_times, rendered_times = [], [], []
        for _ in range(requests):
            spent[:] = [0.0, 0.0]
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            diff_times.append(spent[0] * 1000)
            rendered_times.append(spent[1] * 1000)
    finally:
        entries.word_diff, entries.rendered_diff = word_diff, rendered_diff
    if profile:
        print(f"\n--- {url}")
        profiler = cProfile.Profile()
        profiler.runcall(client.get, url)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return {
        "first": first,
        "p50": statistics.median(times),
        "max": max(times),
        "diffs": statistics.median(diff_times),
        "rendered": statistics.median(rendered_times),
        "first_rendered": first_rendered,
        "kib": len(response.content) / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per diff; the median is shown")
    parser.add_argument("--requests", type=int, default=20, help="requests per page after the first")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions for each page")
    args = parser.parse_args()
    os.environ["DJANGO_DEBUG"] = "1"
    setup_django("sqlite:////tmp/common-ground-bench-diffs.sqlite3")
    import platform

    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    slowest = time_diffs(args.runs)
    quiet = "django.core.mail.backends.locmem.EmailBackend"  # the workflow's e-mails, not on the console
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"], EMAIL_BACKEND=quiet):
        proposal_url, history_url, term_url, publish = build_pages(slowest)
        client = Client()
        client.force_login(User.objects.get(username="marco"))
        pages = {"proposal page": time_page(client, proposal_url, args.requests, args.profile)}
        publish()
        pages["history page"] = time_page(client, history_url, args.requests, args.profile)
        # No diff here, but the same texts as Markdown: for comparison, first request uncached.
        pages["term page"] = time_page(client, term_url, args.requests, args.profile)
    print(f"every field at its maximum, its slowest pattern above; {args.requests} requests after the first")
    print(
        f"{'page':<14} {'KiB':>6} {'first ms':>9} {'p50 ms':>8} {'max ms':>8} {'in diffs p50':>13} "
        f"{'rendered diffs first / p50':>27}"
    )
    for name, figures in pages.items():
        print(
            f"{name:<14} {figures['kib']:>6.0f} {figures['first']:>9.1f} {figures['p50']:>8.1f} "
            f"{figures['max']:>8.1f} {figures['diffs']:>13.1f} "
            f"{figures['first_rendered']:>19.1f} / {figures['rendered']:>5.1f}"
        )


if __name__ == "__main__":
    main()
