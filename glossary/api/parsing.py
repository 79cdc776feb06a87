"""Reading a request's JSON body without trusting it."""

import json
import re

from ninja.parser import Parser

from glossary.interchange.json_input import MAX_NESTING, MAX_NUMBER_CHARS


class BodyRefused(ValueError):
    """A request body the API will not read, and why."""


class CarefulParser(Parser):
    """JSON bodies read without trusting them: UTF-8 only, no NaN or Infinity, no number longer than
    MAX_NUMBER_CHARS characters, nesting at most MAX_NESTING deep (json.loads would run out of stack
    a little deeper, or spend seconds on a huge number)."""

    def parse_body(self, request):
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BodyRefused(f"The body is not UTF-8 (byte {error.start}).") from None
        if _nesting(body) > MAX_NESTING:
            raise BodyRefused(f"The body nests more than {MAX_NESTING} levels deep.")
        try:
            return json.loads(body, parse_int=_number(int), parse_float=_number(float), parse_constant=_not_json)
        except json.JSONDecodeError as error:
            raise BodyRefused(
                f"The body is not JSON: {error.msg} (line {error.lineno}, column {error.colno})."
            ) from None


def _number(convert):
    def read(literal: str):
        if len(literal) > MAX_NUMBER_CHARS:
            raise BodyRefused(f"A number of {len(literal):,} characters; at most {MAX_NUMBER_CHARS}.")
        return convert(literal)

    return read


def _not_json(name: str):
    raise BodyRefused(f"{name} is not a JSON number.")


# Strings whole (brackets inside them do not count), and brackets.
_STRINGS_AND_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _nesting(body: str) -> int:
    """How deep the brackets go, outside strings: counted before parsing, which would overflow."""
    depth = deepest = 0
    for match in _STRINGS_AND_BRACKETS.finditer(body):
        character = match.group()[0]
        if character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest
