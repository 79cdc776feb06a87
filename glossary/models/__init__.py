from glossary.models.exports import PdfExport
from glossary.models.proposals import Comment, Proposal, ProposedDefinition, SignOff
from glossary.models.terms import Definition, ReviewConfirmation, Tag, Term
from glossary.models.watching import ApproverReminder, Watch, WatchNotice
from glossary.models.webhooks import ReviewDueAnnouncement, WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApproverReminder", "Comment", "Definition", "PdfExport", "Proposal", "ProposedDefinition", "ReviewConfirmation",
    "ReviewDueAnnouncement", "SignOff", "Tag", "Term", "Watch", "WatchNotice", "WebhookAttempt", "WebhookDelivery",
    "WebhookEndpoint",
]
