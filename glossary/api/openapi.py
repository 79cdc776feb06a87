"""What the OpenAPI schema says beyond what django-ninja derives from the calls: every refusal each
operation can give, as problem details, and the links a client (or a stateful fuzzer) follows from
one answer to the next.

Both are derived here, once, from what each operation is: whether it lets a token in, writes,
takes a path, a query, a body, a page or a revision, answers 304; no call lists its own. A new call
gets the refusals of its kind without a line of its own; `tests/glossary/api/test_api_schema.py` produces each
listed status for real, and Schemathesis (`tests/glossary/api/test_api_schemathesis.py`) finds any that is not.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from ninja import NinjaAPI
from ninja.operation import Operation

from glossary.api.auth import TokenAuth
from glossary.api.errors import CONTENT_TYPE
from glossary.api.schemas import Problem
from glossary.interchange.json_input import MAX_NESTING, MAX_NUMBER_CHARS

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@dataclass(frozen=True)
class Call:
    """One operation as the rules below see it: ninja's Operation and its part of the schema."""

    operation: Operation
    details: dict
    body_fields: frozenset[str]

    def parameters(self, where: str) -> list[dict]:
        return [p for p in self.details.get("parameters", []) if p["in"] == where]

    @property
    def takes_token(self) -> bool:
        return any(isinstance(auth, TokenAuth) for auth in self.operation.auth_callbacks)

    @property
    def writes(self) -> bool:
        return any(isinstance(auth, TokenAuth) and auth.write for auth in self.operation.auth_callbacks)

    @property
    def has_body(self) -> bool:
        return "requestBody" in self.details

    @property
    def pages(self) -> bool:
        return any(p["name"] == "page" for p in self.parameters("query"))

    @property
    def names_versions(self) -> bool:
        return any(p["name"] in ("from", "to") for p in self.parameters("query"))


# What a path parameter names, for "404: ... does not exist".
NAMED_BY = {
    "slug": "no term has this slug",
    "number": "the term has no version of this number",
    "proposal_id": "no proposal has this id",
    "watch_id": "you have no watch with this id",
}


def _not_found(call: Call) -> str:
    reasons = [NAMED_BY.get(p["name"], f"nothing has this {p['name']}") for p in call.parameters("path")]
    if call.names_versions:
        reasons.append("the term has no version `from` or `to` names")
    if call.pages:
        reasons.append("a page past the last (the detail says how many there are)")
    return "Not found: " + "; ".join(reasons) + "."


def _forbidden(call: Call) -> str:
    why = "A read-only token, or a browser session without its CSRF token (X-CSRFToken)"
    if call.operation.view_func.__module__.endswith("proposals"):
        why += (
            "; or the workflow does not let you do this now (not the author, not an approver of a signing "
            "department, signed off already, or the proposal's state does not allow it): the detail says why"
        )
    return why + "."


def _invalid(call: Call) -> str:
    where = [
        name
        for name, present in (
            ("the path", any(p["schema"].get("type") == "integer" for p in call.parameters("path"))),
            ("the query", bool(call.parameters("query"))),
            ("the body", call.has_body),
        )
        if present
    ]
    said = (
        f"Invalid values in {' or '.join(where)}: `errors` names each field and what is wrong with it. "
        "A number must be a JSON integer in a body and plain digits in the address."
    )
    if call.has_body:
        said += (
            " Also what only the glossary's state decides: a slug no term, tag or department has, a name "
            "another term has, a review date in the past, content that could not be published as it stands."
        )
    elif call.parameters("query"):
        said += " Also a tag or department slug that names none."
    return said


def _can_be_invalid(call: Call) -> bool:
    # A term's slug in the path is never refused as invalid: anything else is a 404.
    return (
        call.has_body
        or bool(call.parameters("query"))
        or any(p["schema"].get("type") == "integer" for p in call.parameters("path"))
    )


@dataclass(frozen=True)
class Refusal:
    status: int
    applies: Callable[[Call], bool]
    description: Callable[[Call], str]
    headers: dict | None = None


REFUSALS = (
    Refusal(
        400,
        lambda call: call.has_body,
        lambda call: (
            "The body is not JSON as this API reads it: not UTF-8, not JSON, NaN or Infinity, a number "
            f"longer than {MAX_NUMBER_CHARS} characters, or nested deeper than {MAX_NESTING} levels."
        ),
    ),
    Refusal(
        401,
        lambda call: bool(call.operation.auth_callbacks),
        lambda call: (
            "Log in, or send an API token (Authorization: Bearer cg_…). A token that is not valid (mistyped, "
            "revoked, its user deactivated) is refused even where reading is open."
        ),
    ),
    Refusal(403, lambda call: call.writes, _forbidden),
    Refusal(404, lambda call: bool(call.parameters("path")) or call.pages or call.names_versions, _not_found),
    Refusal(
        409,
        lambda call: bool({"revision", "base_version"} & call.body_fields),
        lambda call: (
            "What you read has moved on: the proposal has a newer revision than the `revision` you sent, the "
            "term a newer version than your `base_version` (the problem's `current_version` says which), or "
            "your department signed off meanwhile. Read it again."
        ),
    ),
    Refusal(
        413,
        lambda call: call.has_body,
        lambda call: f"The body is larger than the server accepts ({settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes).",
    ),
    Refusal(422, _can_be_invalid, _invalid),
    Refusal(
        429,
        lambda call: call.takes_token,
        lambda call: (
            f"Too many calls with a token that is not valid from your address ({settings.API_TOKEN_FAILURE_LIMIT} "
            f"within {settings.API_TOKEN_FAILURE_WINDOW} s): every call from it is refused until Retry-After "
            "seconds have passed."
        ),
        headers={
            "Retry-After": {
                "required": True,
                "description": "Seconds to wait.",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
    ),
)


# Links: where an id (or slug, or revision) in one answer is the input of the next call. A proposal
# in any answer leads to everything that can be done to it, so a client can walk from proposing to
# every decision; a list leads to its first item.
def _proposal_links(proposal: str) -> dict:
    at = f"$response.body#{proposal}"
    by_id = {"path.proposal_id": f"{at}/id"}
    revision = {"revision": f"{at}/revision"}
    links = {
        "GetProposal": ("glossary_api_proposals_proposal_detail", by_id, None, "The proposal as it stands."),
        "ReviseProposal": (
            "glossary_api_proposals_proposal_update",
            by_id,
            revision,
            "The author's new revision of it.",
        ),
        "ApproveProposal": ("proposal_approve", by_id, revision, "Approve this revision for your department."),
        "RequestChanges": ("proposal_request_changes", by_id, revision, "Send this revision back to its author."),
        "RejectProposal": ("proposal_reject", by_id, revision, "Reject this revision for your department."),
        "WithdrawProposal": ("glossary_api_proposals_proposal_withdraw", by_id, None, "The author withdraws it."),
        "RebaseProposal": (
            "glossary_api_proposals_proposal_rebase",
            by_id,
            None,
            "Once out of date: onto the term's current version.",
        ),
        "CommentOnProposal": ("glossary_api_proposals_proposal_comment", by_id, None, "Add to its discussion."),
    }
    return {name: _link(*link) for name, link in links.items()}


def _link(operation_id: str, parameters: dict, body: dict | None, description: str) -> dict:
    link = {"operationId": operation_id, "parameters": parameters, "description": description}
    if body is not None:
        link["requestBody"] = body
    return link


def _term_links(term: str) -> dict:
    slug = f"$response.body#{term}/slug"
    return {
        "GetTerm": _link("glossary_api_terms_term_detail", {"path.slug": slug}, None, "The whole term."),
        "TermVersions": _link("glossary_api_terms_term_versions", {"path.slug": slug}, None, "Its versions."),
        "ProposeChange": _link(
            "glossary_api_proposals_proposal_create",
            {},
            {"kind": "change", "term": slug, "base_version": f"$response.body#{term}/version"},
            "Propose a change to it, on the version read.",
        ),
        "ProposeDeprecation": _link(
            "glossary_api_proposals_proposal_create",
            {},
            {"kind": "deprecate", "term": slug, "base_version": f"$response.body#{term}/version"},
            "Propose that it is no longer used, on the version read.",
        ),
        "WatchTerm": _link(
            "glossary_api_watches_watch_create", {}, {"target": "term", "term": slug}, "Hear of each change to it."
        ),
    }


LINKS = {
    ("glossary_api_proposals_proposal_create", 201): _proposal_links(""),
    ("glossary_api_proposals_proposal_detail", 200): _proposal_links(""),
    ("glossary_api_proposals_proposal_update", 200): _proposal_links(""),
    ("glossary_api_proposals_proposal_comment", 201): _proposal_links(""),
    ("proposal_approve", 200): _proposal_links(""),
    ("proposal_request_changes", 200): _proposal_links(""),
    ("proposal_reject", 200): _proposal_links(""),
    ("glossary_api_proposals_proposal_rebase", 200): _proposal_links(""),
    ("glossary_api_proposals_proposal_withdraw", 200): _proposal_links(""),
    ("glossary_api_proposals_proposal_list", 200): _proposal_links("/results/0"),
    ("glossary_api_terms_term_list", 200): _term_links("/results/0"),
    ("glossary_api_terms_term_detail", 200): {
        **_term_links(""),
        "TermVersion": _link(
            "glossary_api_terms_term_version",
            {"path.slug": "$response.body#/slug", "path.number": "$response.body#/version"},
            None,
            "The term as its current version left it.",
        ),
    },
    ("glossary_api_watches_watch_create", 201): {
        "StopWatching": _link(
            "glossary_api_watches_watch_delete", {"path.watch_id": "$response.body#/id"}, None, "Stop it."
        ),
    },
    ("glossary_api_watches_watch_create", 200): {
        "StopWatching": _link(
            "glossary_api_watches_watch_delete", {"path.watch_id": "$response.body#/id"}, None, "Stop it."
        ),
    },
    ("glossary_api_watches_watch_list", 200): {
        "StopWatching": _link(
            "glossary_api_watches_watch_delete",
            {"path.watch_id": "$response.body#/results/0/id"},
            None,
            "Stop the first watch listed.",
        ),
    },
    ("glossary_api_terms_tag_list", 200): {
        "TermsWithTag": _link(
            "glossary_api_terms_term_list", {"query.tag": "$response.body#/0/slug"}, None, "Its terms."
        ),
        "WatchTag": _link(
            "glossary_api_watches_watch_create",
            {},
            {"target": "tag", "tag": "$response.body#/0/slug"},
            "Hear of changes to its terms.",
        ),
    },
    ("glossary_api_terms_department_list", 200): {
        "TermsItHasNotDefined": _link(
            "glossary_api_terms_term_list",
            {"query.missing": "$response.body#/0/slug"},
            None,
            "The terms the first department has not defined.",
        ),
    },
}


def answers_not_modified(view):
    """Marks a read that answers 304 Not Modified to a client whose ETag still holds (its schema says so)."""
    view.answers_not_modified = True
    return view


class GlossaryApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete(schema, self)
        return schema


def complete(schema: dict, api: NinjaAPI) -> None:
    """Adds to the generated schema the Problem component, each operation's refusals and its links."""
    components = schema["components"]["schemas"]
    components["Problem"] = _problem_schema(components)
    operations = {
        operation.operation_id or api.get_openapi_operation_id(operation): operation
        for router in api._get_bound_routers()
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }
    for methods in schema["paths"].values():
        for details in methods.values():
            operation_id = details["operationId"]
            call = Call(operations[operation_id], details, frozenset(_body_fields(details, components)))
            responses = {str(status): response for status, response in details["responses"].items()}
            if getattr(call.operation.view_func, "answers_not_modified", False):
                _answers_not_modified(responses)
            for refusal in REFUSALS:
                if refusal.applies(call):
                    response = {
                        "description": refusal.description(call),
                        "content": {CONTENT_TYPE: {"schema": PROBLEM}},
                    }
                    if refusal.headers:
                        response["headers"] = refusal.headers
                    responses[str(refusal.status)] = response
            for status, response in responses.items():
                links = LINKS.get((operation_id, int(status)))
                if links:
                    unknown = {link["operationId"] for link in links.values()} - operations.keys()
                    assert not unknown, f"Links from {operation_id} to operations that do not exist: {unknown}"
                    response["links"] = links
            details["responses"] = dict(sorted(responses.items()))


def _answers_not_modified(responses: dict) -> None:
    responses["200"]["headers"] = {
        "ETag": {"required": True, "description": "Send it back in If-None-Match.", "schema": {"type": "string"}},
        "Last-Modified": {"description": "When the glossary last changed.", "schema": {"type": "string"}},
    }
    responses["304"] = {
        "description": "Not Modified: the ETag sent in If-None-Match (or If-Modified-Since) still holds."
    }


def _problem_schema(components: dict) -> dict:
    from ninja.openapi.schema import REF_TEMPLATE, NinjaGenerateJsonSchema

    generated = Problem.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
    )
    components.update(generated.pop("$defs", {}))
    return generated


def _body_fields(details: dict, components: dict) -> set[str]:
    """The property names a call's body may have, across the variants of a body told apart by a field."""
    content = details.get("requestBody", {}).get("content", {})
    found: set[str] = set()
    pending = [media["schema"] for media in content.values()]
    while pending:
        schema = pending.pop()
        if "$ref" in schema:
            pending.append(components[schema["$ref"].rsplit("/", 1)[-1]])
            continue
        found |= set(schema.get("properties", {}))
        pending += schema.get("oneOf", []) + schema.get("anyOf", [])
    return found
