"""Which representation of a resource a client asked for in its Accept header (RFC 9110, 12.5.1).

Django's `request.get_preferred_type()` matches a media range with parameters only to an offer
with the same parameters, so `text/turtle; charset=utf-8` or `application/ld+json;
profile="…#expanded"` match none of our plain media types and the client got HTML. Here a range's
parameters are weighed for what they ask: `q` is its weight; `charset` must be UTF-8 (every
representation here is); `profile` on JSON-LD picks the form of the document. Others are ignored,
as none of our representations comes in variants of them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.http.request import MediaType

JSON_LD_EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
JSON_LD_COMPACTED = "http://www.w3.org/ns/json-ld#compacted"
_UTF_8 = {"utf-8", "utf8"}


@dataclass(frozen=True)
class Representation:
    """One form a resource can be sent in: its media type, the name the view knows it by, and, for
    JSON-LD, the profile (document form) it has."""

    media_type: str
    name: str
    profile: str = ""


@dataclass(frozen=True)
class _Range:
    main_type: str
    sub_type: str
    params: dict
    quality: float

    @property
    def specificity(self) -> int:
        if self.main_type == "*":
            return 0
        if self.sub_type == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, representation: Representation) -> bool:
        main_type, sub_type = representation.media_type.split("/")
        if self.main_type not in ("*", main_type) or self.sub_type not in ("*", sub_type):
            return False
        if "charset" in self.params and self.params["charset"].lower() not in _UTF_8:
            return False
        if "profile" in self.params and representation.profile:
            return representation.profile in self.params["profile"].split()
        return True


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for item in accept.split(","):
        parsed = MediaType(item.strip())
        main_type, sub_type = parsed.main_type.strip().lower(), parsed.sub_type.strip().lower()
        if not main_type or not sub_type or (main_type == "*" and sub_type != "*"):
            continue  # not a media range: ignored, as a client's typo should not cost it the answer
        params = {name.lower(): value for name, value in parsed.range_params.items()}
        ranges.append(_Range(main_type, sub_type, params, parsed.quality))
    return ranges


def preferred_representation(accept: str, offered: Sequence[Representation]) -> Representation:
    """The representation the Accept header `accept` weighs highest; on a tie, the one matched by
    the more specific range, then the first offered. Without a header, or when it accepts none of
    them, the first offered: a resource still answers a client that asks for something else."""
    ranges = _ranges(accept or "*/*")
    best, best_weight = offered[0], (0.0, -1)
    for representation in offered:
        matching = [r for r in ranges if r.matches(representation)]
        if not matching:
            continue
        # The most specific range that matches a representation decides its weight.
        decisive = max(matching, key=lambda r: r.specificity)
        weight = (decisive.quality, decisive.specificity)
        if decisive.quality > 0 and weight > best_weight:
            best, best_weight = representation, weight
    return best
