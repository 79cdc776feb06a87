from glossary.models.exports import PdfExport
from glossary.models.proposals import Comment, Proposal, ProposedDefinition, SignOff
from glossary.models.terms import Definition, ReviewConfirmation, ReviewDueAnnouncement, Tag, Term
from glossary.models.watching import ApproverReminder, Watch, WatchNotice

__all__ = [
    "ApproverReminder",
    "Comment",
    "Definition",
    "PdfExport",
    "Proposal",
    "ProposedDefinition",
    "ReviewConfirmation",
    "ReviewDueAnnouncement",
    "SignOff",
    "Tag",
    "Term",
    "Watch",
    "WatchNotice",
]
