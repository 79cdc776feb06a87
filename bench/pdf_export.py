"""Benchmark: the glossary PDF at 100 and 1,000 terms, next to a bare Typst render.

    .venv/bin/python bench/pdf_export.py [--sizes 100 1000] [--repeat 1]

Seeds a throw-away SQLite database (or the one DATABASE_URL names: it must be disposable) with
terms whose definitions are the demo glossary's, renders the PDF in a fresh child process per
measurement, and prints wall time and peak memory (max RSS; Common Ground's Typst runs in a child
process of its own, whose peak is printed beside) for:
  - the Common Ground PDF (cover, contents, bookmarks, running header/footer, PDF/UA-1),
  - a bare Typst render of the same words as plain stacked paragraphs in the same font, no
    styling and no PDF/UA checks (the baseline),
  - the next PDF after one definition changed, in the same process (each text is parsed once per
    process, so only the changed one again),
  - the second, cached download of the same PDF.
The ratio of the first to the second is the figure that travels between machines.

With --stages it prints instead how a render's time splits between its stages (preparing the
terms, then Typst's layout and writing in one call): the shares the export progress bar gives each.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, demo_terms, seeded_name, setup_django  # noqa: E402


def seed(count: int) -> None:
    """Exactly `count` approved terms with IT and Marketing definitions from the demo glossary."""
    from django.core.management import call_command

    from accounts.models import Department
    from glossary.models import Definition, Term
    from glossary.text import initial, name_key

    call_command("migrate", verbosity=0)
    demo = demo_terms()
    it, marketing = Department.objects.get(slug="it"), Department.objects.get(slug="marketing")
    Definition.objects.all().delete()
    Term.objects.all().delete()
    terms, definitions = [], []
    for n in range(count):
        source = demo[n % len(demo)]
        name = seeded_name(n, demo)
        terms.append(
            Term(
                name=name,
                name_key=name_key(name),
                initial=initial(name),
                slug=f"term-{n}",
                abbreviation=source.get("abbreviation", ""),
                synonyms="\n".join(source.get("synonyms", [])),
                summary=unique(source.get("summary", ""), n),
                examples=unique(source.get("examples", ""), n),
                status=Term.Status.APPROVED,
            )
        )
    # A benchmark fixture: bulk rows without history are fine here; the app never writes this way.
    Term.objects.bulk_create(terms)
    for term, n in zip(Term.objects.order_by("slug"), sorted(range(count), key=lambda i: f"term-{i}"), strict=True):
        source = demo[n % len(demo)]["definitions"]
        for department in (it, marketing):
            if department.slug in source:
                definitions.append(
                    Definition(term=term, department=department, text=unique(source[department.slug], n))
                )
    Definition.objects.bulk_create(definitions)


def unique(text: str, n: int) -> str:
    """Every text different, as in a real glossary: the PDF parses each distinct text once."""
    return f"{text} (term {n})" if text else text


def measure(database_url: str, what: str) -> dict:
    """Run one measurement in a fresh process, so peak memory is that process's alone."""
    code = (
        "import sys, json; sys.path.insert(0, %r); from bench.pdf_export import setup_django, run_one; "
        "setup_django(%r); print(json.dumps(run_one(%r)))" % (str(ROOT), database_url, what)
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_one(what: str) -> dict:
    """Prepare (untimed), then time only the work being measured."""
    from glossary.interchange.options import ExportOptions
    from glossary.interchange.pdf import glossary_pdf, page_count, render_pdf

    if what == "bare-typst":
        words = bare_words()
        start = time.perf_counter()
        pdf = bare_typst(words)
    elif what == "common-ground":
        start = time.perf_counter()
        pdf = render_pdf(ExportOptions())  # queries, Markdown tree, JSON, layout, PDF/UA-1
    elif what == "stages":
        began = {}
        start = time.perf_counter()
        pdf = render_pdf(ExportOptions(), progress=lambda step: began.setdefault(step.stage, time.perf_counter()))
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "terms": (began["layout"] - start) / seconds,
            "layout": (began["ready"] - began["layout"]) / seconds,
        }
    elif what == "after-edit":
        # The export after an edit, in the same long-lived process (the worker, the web server):
        # only the changed text is parsed again.
        from glossary.models import Definition

        render_pdf(ExportOptions())
        edited = Definition.objects.order_by("pk").first()
        Definition.objects.filter(pk=edited.pk).update(text=edited.text + " Edited.")
        start = time.perf_counter()
        pdf = render_pdf(ExportOptions())
    else:  # "cached": the second download of an unchanged glossary
        glossary_pdf(ExportOptions())
        start = time.perf_counter()
        pdf = glossary_pdf(ExportOptions())
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "pages": page_count(pdf),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # Common Ground runs Typst in a child process; the bare render runs it in this one.
        "child_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def bare_words() -> list[str]:
    """Every string the glossary PDF prints, in order, each block of it as one paragraph."""
    from glossary.interchange.options import ExportOptions
    from glossary.interchange.pdf.document import document_data

    words: list[str] = []

    def walk(value):
        if isinstance(value, str):
            if value.strip():
                words.append(value)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key not in ("slug", "url", "term", "lang", "date", "keywords"):
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(document_data(ExportOptions()))
    return words


BARE_LAYOUT = """#set text(font: "DejaVu Sans", size: 9.5pt)
#for words in json("words.json") { par(words) }
"""


def bare_typst(words: list[str]) -> bytes:
    """The same words with Typst, the same fonts and nothing else: no contents, links or tags."""
    import typst

    from glossary.interchange.pdf.fonts import FONTS_DIR

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "bare.typ").write_text(BARE_LAYOUT)
        (root / "words.json").write_text(json.dumps(words))
        return typst.compile(str(root / "bare.typ"), root=folder, font_paths=[str(FONTS_DIR)], ignore_system_fonts=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the median is printed")
    parser.add_argument("--stages", action="store_true", help="how a render's time splits between its stages")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.gettempdir()}/common-ground-bench.sqlite3"
    setup_django(database_url)
    import platform

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"database: {database_url.split('@')[-1]}")
    if args.stages:
        print(f"{'terms':>6} {'seconds':>8} {'terms %':>8} {'layout %':>9}")
        for size in args.sizes:
            seed(size)
            run = measure(database_url, "stages")
            print(f"{size:>6} {run['seconds']:>8.2f} {100 * run['terms']:>8.0f} {100 * run['layout']:>9.0f}")
        return
    print(f"{'terms':>6} {'what':<16} {'seconds':>8} {'peak MiB':>9} {'Typst MiB':>10} {'pages':>6} {'ratio':>6}")
    for size in args.sizes:
        seed(size)
        figures = {}
        for what in ("bare-typst", "common-ground"):
            runs = sorted((measure(database_url, what) for _ in range(args.repeat)), key=lambda r: r["seconds"])
            figures[what] = runs[len(runs) // 2]
        ratio = figures["common-ground"]["seconds"] / figures["bare-typst"]["seconds"]
        for what, run in figures.items():
            shown_ratio = f"{ratio:5.2f}x" if what == "common-ground" else ""
            child = f"{run['child_mib']:.0f}" if run["child_mib"] else "-"
            print(
                f"{size:>6} {what:<16} {run['seconds']:>8.2f} {run['peak_mib']:>9.0f} {child:>10} {run['pages']:>6} {shown_ratio:>6}"
            )
        edit = measure(database_url, "after-edit")
        print(
            f"{size:>6} {'after one edit':<16} {edit['seconds']:>8.2f} {edit['peak_mib']:>9.0f} {edit['child_mib']:>10.0f} {edit['pages']:>6}"
        )
        cached = measure(database_url, "cached")
        print(
            f"{size:>6} {'cached download':<16} {cached['seconds']:>8.4f} {cached['peak_mib']:>9.0f} {'':>10} {cached['pages']:>6}"
        )


if __name__ == "__main__":
    main()
