from glossary.models.exports import PdfExport
from glossary.models.proposals import Comment, Proposal, ProposedDefinition, SignOff
from glossary.models.terms import Definition, ReviewConfirmation, Tag, Term

__all__ = ["Comment", "Definition", "PdfExport", "Proposal", "ProposedDefinition", "ReviewConfirmation", "SignOff", "Tag", "Term"]
