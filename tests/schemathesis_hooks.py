"""How Schemathesis works on the API in tests/glossary/api/test_api_schemathesis.py.

Who it calls as: the contributor, except for sign-offs and the queue of proposals awaiting a
decision, which IT's and Marketing's approvers take in turn, so that a proposal can be approved by
every signing department and published.

For the stateful run only (GLOSSARY_STATE set), the schema is narrowed to the seeded glossary: the
slugs that exist, its departments, short plain texts, no review date. The API's schema cannot say
which slugs exist; without this, nearly every proposal a fuzzer makes names a term, tag or
department that is not there, and the workflow after it is never reached. The unit phases run on
the schema as served.
"""

import itertools
import json
import os

import schemathesis

SIGN_OFFS = ("/approve", "/request_changes", "/reject")
APPROVERS = itertools.cycle([os.environ["IT_TOKEN"], os.environ["MARKETING_TOKEN"]])


@schemathesis.auth(refresh_interval=None)
class GlossaryCallers:
    def get(self, case, context):
        path = context.operation.path
        if path.endswith(SIGN_OFFS) or (
            path.endswith("/proposals") and (case.query or {}).get("list") == "awaiting-me"
        ):
            return next(APPROVERS)
        return os.environ["CONTRIBUTOR_TOKEN"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _mostly(values: list, original: dict) -> dict:
    """One of `values`, or anything the schema took: a link may bring a slug made during the run."""
    return {"anyOf": [{"enum": values}, original]}


def _plain(shortest: int, longest: int) -> dict:
    return {"type": "string", "pattern": f"^[A-Z][a-z]{{{shortest},{longest}}}( [a-z]{{3,9}}){{0,3}}\\.?$"}


NOTHING = {"type": "null"}


@schemathesis.hook
def before_load_schema(context, raw_schema):
    if not os.environ.get("GLOSSARY_STATE"):
        return
    state = json.loads(os.environ["GLOSSARY_STATE"])
    terms, tags, departments = state["terms"], state["tags"], state["departments"]
    components = raw_schema["components"]["schemas"]
    components["ProposedContent"]["properties"].update(
        {
            "name": _plain(3, 12),
            "abbreviation": NOTHING,
            "synonyms": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{4,12}$"}, "maxItems": 2},
            "summary": _plain(5, 12),
            "definitions": {
                "type": "object",
                "propertyNames": {"enum": departments},
                "additionalProperties": _plain(5, 12),
                "minProperties": 1,
            },
            "examples": NOTHING,
            "tags": {"type": "array", "items": {"enum": tags["names"]}, "maxItems": 2, "uniqueItems": True},
            "related_terms": NOTHING,
            "owner": _plain(3, 12),
            "review_by": NOTHING,
        }
    )
    components["ProposedContent"]["required"] = ["name", "definitions"]
    for variant in ("NewTermProposal", "ChangeProposal", "DeprecateProposal", "RestoreProposal"):
        properties = components[variant]["properties"]
        for name in properties:
            if name in ("term",) and variant != "NewTermProposal":
                properties[name] = _mostly(terms, properties[name])
            elif name == "reason":
                properties[name] = _plain(5, 12)
            elif name == "replaced_by":
                properties[name] = NOTHING
            elif name == "restore_version" and variant == "RestoreProposal":
                properties[name] = {"const": 1}
    components["ProposalRevision"]["properties"]["reason"] = _plain(5, 12)
    components["DecisionWithComment"]["properties"]["comment"] = _plain(5, 12)
    components["Decision"]["properties"]["comment"] = _plain(5, 12)
    components["NewComment"]["properties"]["body"] = _plain(5, 12)
    for body, name, values in (("TermWatch", "term", terms), ("TagWatch", "tag", tags["slugs"])):
        components[body]["properties"][name] = _mostly(values, components[body]["properties"][name])
    by_name = {"tag": tags["slugs"], "missing": departments, "slug": terms, "proposal_id": state["proposals"]}
    for methods in raw_schema["paths"].values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in by_name:
                    parameter["schema"] = _mostly(by_name[parameter["name"]], parameter["schema"])
                elif parameter["name"] == "page":  # a page past the last lists nothing to go on with
                    parameter["schema"] = {"const": 1}
