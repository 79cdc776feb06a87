"""The API's interactive docs work in a real browser under the site's Content-Security-Policy,
loading everything from the site itself."""

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_interactive_docs_render_the_api_from_the_site_alone(as_user, live_server):
    page = as_user("ada")
    blocked, requested = [], []
    page.on("console", lambda message: message.type == "error" and blocked.append(message.text))
    page.on("request", lambda request: requested.append(request.url))
    page.get_by_role("link", name="API", exact=True).click()
    page.get_by_text("Common Ground API").first.wait_for()
    page.get_by_text("/api/v1/terms/{slug}", exact=True).first.wait_for()
    assert not [text for text in blocked if "Content Security Policy" in text], blocked
    assert all(url.startswith(live_server.url) for url in requested), requested
