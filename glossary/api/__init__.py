"""The glossary's HTTP API, /api/v1/: a second front door beside the pages.

It parses and renders differently from the views, but reads through the same selectors and (for
proposals) writes through the same services, so every rule of glossary.workflow applies alike.
The OpenAPI schema is generated from this code (`/api/v1/openapi.json`); the copy checked in as
glossary/api/openapi.json is compared with it by the tests, so a change to the API shows in review.
"""

from glossary.api import errors, proposals, terms, watches
from glossary.api.auth import READ
from glossary.api.openapi import GlossaryApi
from glossary.api.parsing import CarefulParser
from glossary.dashboard import api as dashboard

api = GlossaryApi(
    title="Common Ground API",
    version="1",
    description=(
        "The shared glossary for other systems: every term with each department's definition, its "
        "versions and the differences between them; proposals and sign-offs through the same "
        "workflow as the site; the caller's own watches. Errors are RFC 9457 problem details "
        "(application/problem+json, the Problem schema): each call lists those it can give, and why; "
        "an address or method under /api/ that does not exist is a 404 or 405 problem too."
    ),
    urls_namespace="api-1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=READ,
    parser=CarefulParser(),
)
errors.install(api)
api.add_router("/", terms.router)
api.add_router("/", proposals.router)
api.add_router("/", dashboard.router)
api.add_router("/", watches.router)
