"""How far a PDF has got, for the export progress page."""

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PdfStep:
    """How far a PDF has got, in the stages a render really has.

    `terms`: each term's part of the document is prepared (queries, Markdown, sign-offs), counted
    term by term; `layout`: Typst lays out and writes the whole document in one call, which says
    nothing until it is done; `ready`, with the number of pages.
    """

    stage: str
    done: int = 0  # terms prepared
    total: int = 0  # terms in the PDF
    pages: int = 0  # pages in the finished PDF

    TERMS = "terms"
    LAYOUT = "layout"
    READY = "ready"

    @property
    def percent(self) -> int:
        """The share of the work done: terms while they are prepared, then where layout starts."""
        if self.stage == self.TERMS:
            return STAGE_STARTS[self.LAYOUT] * self.done // self.total if self.total else 0
        return STAGE_STARTS[self.stage]

    @property
    def message(self) -> str:
        if self.stage == self.TERMS:
            return f"Prepared {self.done} of {self.total} terms"
        if self.stage == self.LAYOUT:
            return f"Laying out the pages for {self.total} terms…"
        return "Ready"


# Where each stage starts, in percent of a render's time: preparing 1,000 terms is about a fifth of
# it, Typst the rest (`bench/pdf_export.py --stages`, 2026-11-27: 22 % and 78 % of 2.24 s).
STAGE_STARTS = {PdfStep.LAYOUT: 20, PdfStep.READY: 100}

Progress = Callable[[PdfStep], None]


def throttled(report: Progress, *, seconds: float) -> Progress:
    """`report`, told of every new stage and of the last term, but of the counts in between at most
    once every `seconds`: each report may be a database write."""
    last = {"stage": None, "at": 0.0}

    def step(progress: PdfStep) -> None:
        now = time.monotonic()
        new_stage = progress.stage != last["stage"]
        last_term = progress.stage == PdfStep.TERMS and progress.done == progress.total
        if new_stage or last_term or now - last["at"] >= seconds:
            last.update(stage=progress.stage, at=now)
            report(progress)

    return step
