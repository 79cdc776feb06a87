"""Benchmark: the glossary PDF at 100 and 1,000 terms, next to a bare WeasyPrint render.

    .venv/bin/python bench/pdf_export.py [--sizes 100 1000] [--repeat 1]

Seeds a throw-away SQLite database (or the one DATABASE_URL names: it must be disposable) with
terms whose definitions are the demo glossary's, renders the PDF in a fresh child process per
measurement, and prints wall time and peak memory (max RSS) for:
  - the Common Ground PDF (cover, contents, bookmarks, running header/footer, PDF/UA tags),
  - a bare WeasyPrint render of the same words as plain stacked paragraphs, no CSS (the baseline),
  - the second, cached download of the same PDF.
The ratio of the first to the second is the figure that travels between machines.

With --stages it prints instead how a render's time splits between its stages (preparing the
terms, layout, writing the file): the shares the export progress bar gives each stage.
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
                name=name, name_key=name_key(name), initial=initial(name), slug=f"term-{n}",
                abbreviation=source.get("abbreviation", ""), synonyms="\n".join(source.get("synonyms", [])),
                summary=source.get("summary", ""), examples=source.get("examples", ""), status=Term.Status.APPROVED,
            )
        )
    # A benchmark fixture: bulk rows without history are fine here; the app never writes this way.
    Term.objects.bulk_create(terms)
    for term, n in zip(Term.objects.order_by("slug"), sorted(range(count), key=lambda i: f"term-{i}"), strict=True):
        source = demo[n % len(demo)]["definitions"]
        for department in (it, marketing):
            if department.slug in source:
                definitions.append(Definition(term=term, department=department, text=source[department.slug]))
    Definition.objects.bulk_create(definitions)


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
    import io

    from pypdf import PdfReader
    from weasyprint import HTML

    from glossary.exports.options import ExportOptions
    from glossary.exports.pdf import glossary_pdf, render_pdf

    if what == "bare-weasyprint":
        html = bare_html()
        start = time.perf_counter()
        pdf = HTML(string=html).write_pdf()
    elif what == "common-ground":
        start = time.perf_counter()
        pdf = render_pdf(ExportOptions())  # queries, Markdown, template, layout, PDF/UA
    elif what == "stages":
        began = {}
        start = time.perf_counter()
        pdf = render_pdf(ExportOptions(), progress=lambda step: began.setdefault(step.stage, time.perf_counter()))
        seconds = time.perf_counter() - start
        ends = [began["layout"], began["writing"], began["ready"]]
        return {"seconds": seconds, **{stage: (end - began[stage]) / seconds for stage, end in zip(["terms", "layout", "writing"], ends)}}
    else:  # "cached": the second download of an unchanged glossary
        glossary_pdf(ExportOptions())
        start = time.perf_counter()
        pdf = glossary_pdf(ExportOptions())
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bare_html() -> str:
    """Every word the glossary PDF prints, each block of it as a plain paragraph, with no styling."""
    from html import escape
    from html.parser import HTMLParser

    from glossary.exports.options import ExportOptions
    from glossary.exports.pdf import pdf_html

    document, _ = pdf_html(ExportOptions())

    class Blocks(HTMLParser):
        BLOCKS = {"h1", "h2", "h3", "p", "li", "a"}

        def __init__(self):
            super().__init__()
            self.blocks, self.current, self.skip = [], [], False

        def handle_starttag(self, tag, attrs):
            self.skip = tag in {"style", "title"}
            if tag in self.BLOCKS and tag != "a":
                self.flush()

        def handle_endtag(self, tag):
            self.skip = False
            if tag in self.BLOCKS and tag != "a":
                self.flush()

        def handle_data(self, data):
            if not self.skip:
                self.current.append(data)

        def flush(self):
            words = " ".join("".join(self.current).split())
            if words:
                self.blocks.append(words)
            self.current = []

    parser = Blocks()
    parser.feed(document.split("<body>", 1)[1])
    parser.flush()
    return "<html><body>" + "".join(f"<p>{escape(block)}</p>" for block in parser.blocks) + "</body></html>"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the median is printed")
    parser.add_argument("--stages", action="store_true", help="how a render's time splits between its stages")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.gettempdir()}/common-ground-bench.sqlite3"
    setup_django(database_url)
    import platform

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"database: {database_url.split('@')[-1]}")
    if args.stages:
        print(f"{'terms':>6} {'seconds':>8} {'terms %':>8} {'layout %':>9} {'writing %':>10}")
        for size in args.sizes:
            seed(size)
            run = measure(database_url, "stages")
            shares = (f"{100 * run[stage]:>{width}.0f}" for stage, width in (("terms", 8), ("layout", 9), ("writing", 10)))
            print(f"{size:>6} {run['seconds']:>8.2f} {' '.join(shares)}")
        return
    print(f"{'terms':>6} {'what':<16} {'seconds':>8} {'peak MiB':>9} {'pages':>6} {'ratio':>6}")
    for size in args.sizes:
        seed(size)
        figures = {}
        for what in ("bare-weasyprint", "common-ground"):
            runs = sorted((measure(database_url, what) for _ in range(args.repeat)), key=lambda r: r["seconds"])
            figures[what] = runs[len(runs) // 2]
        ratio = figures["common-ground"]["seconds"] / figures["bare-weasyprint"]["seconds"]
        for what, run in figures.items():
            shown_ratio = f"{ratio:5.2f}x" if what == "common-ground" else ""
            print(f"{size:>6} {what:<16} {run['seconds']:>8.2f} {run['peak_mib']:>9.0f} {run['pages']:>6} {shown_ratio:>6}")
        cached = measure(database_url, "cached")
        print(f"{size:>6} {'cached download':<16} {cached['seconds']:>8.4f} {cached['peak_mib']:>9.0f} {cached['pages']:>6}")


if __name__ == "__main__":
    main()
