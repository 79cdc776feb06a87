"""Benchmark: page speed and queries at 10,000 terms, next to a bare Django view.

    .venv/bin/python bench/pages.py [--terms 100 10000] [--requests 200] [--without PART ...]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/commonground_bench .venv/bin/python bench/pages.py

The database must be disposable: for each size in --terms the script empties it and seeds that many terms (IT, Marketing and
Finance definitions of realistic length, three versions of history each, written with
django-simple-history's bulk helpers), then 200 open proposals. For each page it prints the
queries per request and the server time p50/p95 over --requests requests made in-process through
the whole middleware stack, next to a bare view that renders a template of the same size with no
queries, timed in turns with it; the ratio travels between machines. "layout alone" is the site's
layout for the logged-in user with nothing in it: the floor under every page.

--without names cached parts (glossary/caching.py), alone or joined by "+" (term-list+term-card),
or "each" for every part on these pages: each page a part is on is also timed with the part
computed every time (CACHED_PARTS_OFF), in turns with the page as it is, and a second table shows
both.
"""

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import demo_terms, seeded_name, setup_django  # noqa: E402


def seed(count: int) -> dict:
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.text import slugify
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from accounts.demo import create_demo_users
    from accounts.models import Department, User
    from glossary.models import Definition, Proposal, ProposedDefinition, Tag, Term
    from glossary.services.terms import build_search_document, refresh_search_vectors
    from glossary.text import initial, name_key

    call_command("migrate", verbosity=0)
    call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)  # the flush removed the seeded departments and roles

    # Finance writes definitions too but does not sign off, so the demo approvers can publish.
    for name, slug, position, signs in [
        ("IT", "it", 10, True),
        ("Marketing", "marketing", 20, True),
        ("Finance", "finance", 30, False),
    ]:
        Department.objects.update_or_create(
            slug=slug, defaults={"name": name, "position": position, "signs_off": signs}
        )
    from django.apps import apps

    from accounts.roles import sync_role_groups

    sync_role_groups(apps)
    create_demo_users()
    admin = User.objects.get(username="admin")
    departments = list(Department.objects.all())
    demo = demo_terms()
    tags = [
        Tag.objects.get_or_create(name=n, slug=n.lower())[0] for n in ["Architecture", "Data", "Delivery", "Security"]
    ]

    start = time.perf_counter()
    now = timezone.now()
    terms = []
    for n in range(count):
        source = demo[n % len(demo)]
        name = seeded_name(n, demo)
        terms.append(
            Term(
                name=name,
                name_key=name_key(name),
                initial=initial(name),
                slug=f"{slugify(name)}-{n}",
                abbreviation=source.get("abbreviation", ""),
                synonyms="\n".join(source.get("synonyms", [])),
                summary="",
                examples=source.get("examples", ""),
                status=Term.Status.APPROVED,
                version=1,
            )
        )
    bulk_create_with_history(
        terms,
        Term,
        batch_size=1000,
        default_user=admin,
        default_change_reason="Seeded",
        default_date=now - timedelta(days=3),
    )
    terms = list(Term.objects.order_by("pk"))
    definitions = []
    for n, term in enumerate(terms):
        source = demo[n % len(demo)]["definitions"]
        for department in departments:
            body = source.get(department.slug) or source.get("it", "")
            definitions.append(Definition(term=term, department=department, text=body))
    bulk_create_with_history(
        definitions,
        Definition,
        batch_size=2000,
        default_user=admin,
        default_change_reason="Seeded",
        default_date=now - timedelta(days=3),
    )
    Term.tags.through.objects.bulk_create(
        [Term.tags.through(term_id=t.pk, tag_id=tags[i % len(tags)].pk) for i, t in enumerate(terms)], batch_size=2000
    )
    # Review dates as a settled glossary has them: most a year out, one term in twenty overdue and
    # one in twenty due within the warning days, so *Due for review* lists real rows at every size.
    today = timezone.localdate()
    for n, term in enumerate(terms):
        term.review_by = today + timedelta(
            days=-(n % 90) - 1 if n % 20 == 0 else (n % 25) + 1 if n % 20 == 1 else 365 - n % 60
        )
    # Versions 2 and 3: a summary is agreed, then refined.
    for version, days in [(2, 2), (3, 1)]:
        for n, term in enumerate(terms):
            term.summary = f"{demo[n % len(demo)].get('summary', '')} (version {version})"
            term.version = version
        bulk_update_with_history(
            terms,
            Term,
            ["summary", "version", "review_by"],
            batch_size=1000,
            default_user=admin,
            default_change_reason=f"Refined, version {version}",
            default_date=now - timedelta(days=days),
        )
    for term in Term.objects.prefetch_related("definitions").iterator(chunk_size=2000):
        Term.objects.filter(pk=term.pk).update(search_document=build_search_document(term))
    refresh_search_vectors(Term.objects.all())
    if os.environ["DATABASE_URL"].startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            # What autovacuum does to a settled database; the bulk updates above left dead rows.
            cursor.execute("VACUUM ANALYZE")
    maya = User.objects.get(username="maya")
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                kind=Proposal.Kind.CHANGE,
                term=t,
                author=maya,
                reason="Sharper wording",
                base_version=t.version,
                name=t.name,
                summary=t.summary + " (proposed)",
            )
            for t in terms[: min(200, count)]
        ]
    )
    ProposedDefinition.objects.bulk_create(
        [
            ProposedDefinition(proposal=p, department=d, text="Proposed wording for " + p.name)
            for p in proposals
            for d in departments
        ]
    )
    return {"seconds": time.perf_counter() - start, "middle_term": terms[count // 2], "proposal": proposals[0]}


@dataclass(frozen=True)
class Call:
    """A request a page or API call is timed by: its address, headers and the status it answers."""

    url: str
    headers: dict = field(default_factory=dict)
    status: int = 200

    def get(self, client):
        return client.get(self.url, headers=self.headers)


def query_count(client, call: Call) -> tuple[int, int]:
    """Queries and bytes of one request in steady state (after a first request warmed the caches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = call.get(client)
    assert response.status_code == call.status, (call.url, response.status_code)
    connection.queries_log.clear()  # seeding filled the log; counting needs room in it
    with CaptureQueriesContext(connection) as queries:
        response = call.get(client)
    return len(queries.captured_queries), len(response.content)


def timings(client, call: Call, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        call.get(client)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> dict:
    times = sorted(times)
    return {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1]}


# The pages each cached part is on (the PDF's cache is timed by bench/pdf_export.py).
PAGES_OF_PART = {
    "term-page": ["term page"],
    "term-versions": ["history + diff"],
    "list-choices": ["home, first page", "search, exact"],
    "term-list": ["home, first page", "home, middle page", "letter page"],
    "term-card": ["search, exact", "search, synonym", "search, typo"],  # and browsing pages without term-list
    "current-entry": ["proposal page"],
    "navigation-counts": ["layout alone"],
    "proposal-list": ["approver queue"],
    "dashboard": ["dashboard", "API metrics"],
    "term-gaps": ["dashboard", "API metrics"],
    "agreement-months": ["dashboard", "API metrics"],
}


def pages_without(variants: list[str]) -> list[tuple[str, str]]:
    """(variant, page) for every variant of --without and every page one of its parts is on."""
    if "each" in variants:
        variants = [v for v in variants if v != "each"] + [part for part in PAGES_OF_PART if part not in variants]
    timed = []
    for variant in variants:
        pages = {page: None for part in variant.split("+") for page in PAGES_OF_PART[part]}
        timed += [(variant, page) for page in pages]
    return timed


def run_size(size: int, requests: int, without: list[tuple[str, str]]) -> tuple[dict, dict, float]:
    """Seed `size` terms and measure every page; returns {page: (figures, bare)}, {(variant, page):
    figures} for the pages timed without a cached part, and the seeding time."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User

    seeded = seed(size)
    term = seeded["middle_term"]
    pages = {
        "home, first page": "/",
        "home, middle page": f"/?page={max(size // settings.GLOSSARY_PAGE_SIZE // 2, 1)}",
        "letter page": "/?letter=P",
        "term page": term.get_absolute_url(),
        "history + diff": f"/terms/{term.slug}/history/",
        "proposal page": seeded["proposal"].get_absolute_url(),
        "search, exact": "/?q=Omnichannel",
        "search, synonym": "/?q=cross-channel",
        "search, typo": "/?q=omnichanel",
        "approver queue": "/proposals/awaiting-me/",
        "due for review": "/review/due/",
        "due, overdue only": "/review/due/?overdue=on",
        "dashboard": "/dashboard/",
        "layout alone": "/__layout__/",
        "API list": "/api/v1/terms",
        "API term": f"/api/v1/terms/{term.slug}",
        "API search": "/api/v1/terms?q=Omnichannel",
        "API search, typo": "/api/v1/terms?q=omnichanel",
        "API metrics": "/api/v1/metrics",
    }
    pages = {name: Call(url) for name, url in pages.items()}
    results = {}
    with override_settings(ROOT_URLCONF="bench.bare_urls", DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(User.objects.get(username="marco"))
        # A client that already holds the term asks whether it changed: 304 while it has not.
        etag = pages["API term"].get(client)["ETag"]
        pages["API 304"] = Call(pages["API term"].url, headers={"If-None-Match": etag}, status=304)
        shape = {name: query_count(client, call) for name, call in pages.items()}
        shape_without = {}
        for variant, name in without:
            with override_settings(CACHED_PARTS_OFF=variant.split("+")):
                shape_without[variant, name] = query_count(client, pages[name])
        samples = {name: ([], []) for name in pages}
        samples_without = {timed: [] for timed in without}
        # Pages, their bare views and the pages without a cached part take turns in rounds, so a
        # slow spell of a shared machine falls on all of them alike instead of on whichever page
        # was being timed.
        rounds = 5
        for _ in range(rounds):
            for name, call in pages.items():
                page_times, bare_times = samples[name]
                page_times += timings(client, call, requests // rounds)
                bare_times += timings(client, Call(f"/__bare__/{shape[name][1]}/"), requests // rounds)
                for variant, page in without:
                    if page == name:
                        with override_settings(CACHED_PARTS_OFF=variant.split("+")):
                            samples_without[variant, page] += timings(client, call, requests // rounds)
        for name, (page_times, bare_times) in samples.items():
            results[name] = (
                {"queries": shape[name][0], "bytes": shape[name][1], **summary(page_times)},
                summary(bare_times),
            )
        results_without = {
            timed: {"queries": shape_without[timed][0], **summary(times)} for timed, times in samples_without.items()
        }
    return results, results_without, seeded["seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--terms",
        type=int,
        nargs="+",
        default=[100, 10_000],
        help="glossary sizes; the last is reported, the first is the baseline for growth",
    )
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--without",
        nargs="+",
        default=[],
        metavar="PART",
        help=f"also time pages without these cached parts: {', '.join(PAGES_OF_PART)}, several joined by +, or each",
    )
    args = parser.parse_args()
    unknown = {part for variant in args.without for part in variant.split("+")} - {*PAGES_OF_PART, "each"}
    if unknown:
        parser.error(f"no cached part on these pages is called {', '.join(sorted(unknown))}")
    without = pages_without(args.without)
    database_url = os.environ.get("DATABASE_URL") or "sqlite:////tmp/common-ground-bench-pages.sqlite3"
    setup_django(database_url)
    import platform

    from django.conf import settings

    runs = {size: run_size(size, args.requests, without) for size in args.terms}
    small, large = args.terms[0], args.terms[-1]
    results, results_without, seconds = runs[large]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, {large} terms, "
        f"seeded in {seconds:.1f} s; {args.requests} requests per page"
    )
    # The sizes are timed minutes apart; the growth of the ratio to the bare view (timed alongside)
    # cancels a machine that got slower or faster in between.
    print(
        f"{'page':<20} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'bare p50':>9} {'ratio':>6} "
        f"{f'vs {small}':>8} {'ratio vs':>9}"
    )
    for name, (figures, bare) in results.items():
        small_figures, small_bare = runs[small][0][name]
        growth = figures["p50"] / small_figures["p50"]
        ratio_growth = (figures["p50"] / bare["p50"]) / (small_figures["p50"] / small_bare["p50"])
        print(
            f"{name:<20} {figures['queries']:>7} {figures['p50']:>8.1f} {figures['p95']:>8.1f} "
            f"{bare['p50']:>9.1f} {figures['p50'] / bare['p50']:>5.1f}x {growth:>7.1f}x {ratio_growth:>8.1f}x"
        )
    if results_without:
        print(f"\nwith and without each cached part, {large} terms (queries at {small} terms without it in brackets)")
        print(f"{'without':<22} {'page':<20} {'queries':>12} {'p50 ms':>13} {'p95 ms':>13} {'p50 without/with':>17}")
        for (variant, name), figures in results_without.items():
            page = results[name][0]
            queries_small = runs[small][1][variant, name]["queries"]
            print(
                f"{variant:<22} {name:<20} {page['queries']:>3} -> {figures['queries']:>2} ({queries_small:>2}) "
                f"{page['p50']:>5.1f} -> {figures['p50']:>5.1f} {page['p95']:>5.1f} -> {figures['p95']:>5.1f} "
                f"{figures['p50'] / page['p50']:>16.2f}x"
            )


if __name__ == "__main__":
    main()
