"""Reading an uploaded JSON glossary without trusting it.

json.loads alone can be made to fail by a file: nesting a few thousand lists deep runs it out of
stack (RecursionError), and a number of more than 4,300 digits is refused by Python's int (ValueError).
A JSON string may also carry \\u0000 or half of a surrogate pair, which no database stores as text.
Here every such value becomes a message, for the term record that holds it where there is one.
"""

import json
import math
import re

from glossary.entries import CONTENT, Kind

# An exported glossary nests five levels deep; json.loads runs out of stack near 1,000.
MAX_NESTING = 64
# No glossary field needs a longer number; Python's int refuses more than 4,300 digits.
MAX_NUMBER_CHARS = 100


class Refused:
    """Stands in the parsed document for a value the reader will not take, until it is reported."""

    def __init__(self, problem: str):
        self.problem = problem


class FileTooDeep(Exception):
    """The document nests too deeply to be read; `rows` are the term records (1-based) that do."""

    def __init__(self, rows: list[int]):
        super().__init__(rows)
        self.rows = rows


def _read_number(convert):
    def read(literal: str):
        if len(literal) > MAX_NUMBER_CHARS:
            return Refused(f"a number of {len(literal):,} characters (at most {MAX_NUMBER_CHARS})")
        number = convert(literal)
        if isinstance(number, float) and not math.isfinite(number):
            return Refused(f"the number {literal[:20]}, too large to read")
        return number

    return read


parse_int = _read_number(int)
parse_float = _read_number(float)


def parse_constant(name: str) -> Refused:
    # NaN and Infinity are Python's extension to JSON, not JSON.
    return Refused(f"{name}, which is not a JSON number")


def load(content: str):
    """json.loads with hooks that never raise; raises JSONDecodeError or FileTooDeep."""
    try:
        return json.loads(content, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant)
    except RecursionError:
        # Only a failed read pays for this second pass.
        raise FileTooDeep(_too_deep_records(content)) from None


# Strings (skipped whole, so brackets inside them do not count) and runs of structure characters.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]+|[\]}]+|[:,]')


def _too_deep_records(content: str) -> list[int]:
    """The positions in the top-level "terms" list of the records nesting deeper than MAX_NESTING,
    found by counting brackets; 0 stands for nesting outside every term record."""
    depth, key, last_string = 0, None, None
    in_terms, record, found = False, 0, []
    for match in _TOKENS.finditer(content):
        token = match.group()
        first = token[0]
        if first == '"':
            last_string = token
        elif first == ":":
            if depth == 1:
                key = last_string
        elif first == ",":
            if depth == 1:
                key = None
            elif depth == 2 and in_terms:
                record += 1
        elif first in "[{":
            if depth == 1 and first == "[" and key is not None and _decoded(key) == "terms":
                in_terms, record = True, 1
            depth += len(token)
            if depth > MAX_NESTING:
                where = record if in_terms else 0
                if where not in found:
                    found.append(where)
        else:
            depth = max(depth - len(token), 0)
            if depth < 2:
                in_terms = False
    return found


def _decoded(string_token: str) -> str | None:
    try:
        return json.loads(string_token)
    except ValueError:
        return None


def refused_in(value) -> Refused | None:
    """The first refused value anywhere inside `value`, walked without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Refused):
            return item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


class WrongType(ValueError):
    """A field's value is not of the kind the field holds; the message says which and why."""


def _kind(value) -> str:
    if isinstance(value, Refused):
        return value.problem
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a single text"
    return "a number"


_SURROGATE = re.compile("[\ud800-\udfff]")


def text(value, label: str) -> str:
    """A text field's value; a number is read as its digits, as the import always has."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise WrongType(f"{label} must be text, not {_kind(value)}")
    if "\x00" in value:
        raise WrongType(f"{label} contains a NUL character (\\u0000), which is not text")
    if _SURROGATE.search(value):
        raise WrongType(f"{label} contains half of a \\u surrogate pair, which is not a character")
    return value


def text_list(value, label: str, split) -> list[str]:
    """A list of texts, or one text that `split` cuts into items."""
    expected = f"{label} must be a list of texts or one text separated by “; ”"
    if isinstance(value, list):
        for item in value:
            if item is None:
                raise WrongType(f"{expected}, not a list holding null")
            if isinstance(item, (bool, list, dict, Refused)):
                raise WrongType(f"{expected}, not a list holding {_kind(item)}")
        return [text(item, label) for item in value]
    if isinstance(value, (dict, bool, Refused)):
        raise WrongType(f"{expected}, not {_kind(value)}")
    return split(text(value, label))


def definitions(value) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WrongType(f"definitions must map department slugs to text, not {_kind(value)}")
    return {slug: text(body, f"the {text(slug, 'a department slug')} definition") for slug, body in value.items()}


def read_record(record: dict, split) -> tuple[dict, list[str]]:
    """A term record's values by the declared fields' names, each checked for its type, and a
    message for every field that is wrong. A field may come under a name older files used; a field
    the record does not name at all is left out, so the import keeps the term's own."""
    values, errors = {}, []
    for content_field in CONTENT:
        key = next(
            (name for name in (content_field.export_name, *content_field.old_file_names) if name in record), None
        )
        if key is None:
            continue
        try:
            if content_field.kind == Kind.DEFINITIONS:
                values[content_field.name] = definitions(record.get(key))
            elif content_field.is_list:
                values[content_field.name] = text_list(record.get(key), key, split)
            else:
                values[content_field.name] = text(record.get(key), key)
        except WrongType as error:
            errors.append(str(error))
    if not errors:
        # Fields the import ignores (an export's slug and history) must still be readable.
        refused = refused_in(record)
        if refused is not None:
            errors.append(f"holds {refused.problem}")
    return values, errors
