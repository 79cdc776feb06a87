"""CSV cells that a spreadsheet opens as text, never as a formula: for the glossary's CSV files
(glossary.interchange.files) and the dashboard's (glossary.dashboard.tables) alike."""

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What a cell is guarded with: a spreadsheet shows a cell starting with it as text.
GUARD = "'"


def spreadsheet_safe(value: str) -> str:
    """Keep a cell from running as a formula when the CSV is opened in a spreadsheet.

    A value that already starts with the guard gets one too, so that reading takes exactly one
    off: "=1 x" is written '=1 x and "'=1 x" ''=1 x, and each reads back as it was.
    """
    return GUARD + value if value.startswith((*FORMULA_STARTS, GUARD)) else value


def spreadsheet_restore(value: str) -> str:
    """The cell as it was before spreadsheet_safe. A guard before anything else (“'90s”, typed by
    hand) is part of the text: spreadsheet_safe never writes one there."""
    guarded = value.startswith(GUARD) and value[1:].startswith((*FORMULA_STARTS, GUARD))
    return value[1:] if guarded else value
