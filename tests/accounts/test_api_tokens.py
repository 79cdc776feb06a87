"""Personal API tokens: made and revoked on *My API tokens*, standing for their user in the API."""

import re

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from accounts.services import api_token_create
from tests.workflow_helpers import login

pytestmark = pytest.mark.django_db


def call(client, address, secret, **headers):
    return client.get(f"/api/v1{address}", headers={"Authorization": f"Bearer {secret}", **headers})


def test_a_new_token_is_shown_once_and_only_its_digest_is_kept(client, ada):
    login(client, ada)
    made = client.post(reverse("api_tokens"), {"name": "Intranet sync"})
    assert made.status_code == 201
    secret = re.search(r'value="(cg_[^"]+)"', made.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.read_only) == (ada, "Intranet sync", False)
    stored = " ".join(str(value) for value in ApiToken.objects.values().get().values())
    assert secret not in stored
    again = client.get(reverse("api_tokens")).content.decode()
    assert "Intranet sync" in again and token.hint in again and secret not in again


def test_a_token_without_a_name_is_refused_next_to_the_field(client, ada):
    login(client, ada)
    response = client.post(reverse("api_tokens"), {"name": "   "})
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_reads_as_its_user_and_records_when_it_was_used(client, ada, glossary_to_search):
    token, secret = api_token_create(user=ada, name="Script")
    assert token.last_used_at is None
    response = call(client, "/terms", secret)
    assert response.status_code == 200 and response.json()["count"] == 4
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = login(client, ada).get(reverse("api_tokens")).content.decode()
    assert "Never" not in page


def test_a_revoked_token_is_refused_and_the_page_says_when_it_was_revoked(client, ada, glossary_to_search):
    token, secret = api_token_create(user=ada, name="Old script")
    login(client, ada)
    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "Revoked “Old script”" in response.content.decode()
    client.logout()
    refused = call(client, "/terms", secret)
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"


def test_nobody_revokes_someone_elses_token(client, ada, maya):
    token, secret = api_token_create(user=ada, name="Mine")
    login(client, maya)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_a_deactivated_users_token_stops_working(client, ada, glossary_to_search):
    _, secret = api_token_create(user=ada, name="Script")
    ada.is_active = False
    ada.save()
    assert call(client, "/terms", secret).status_code == 401


def test_a_wrong_token_is_refused_even_where_reading_is_open(client, glossary_to_search, settings):
    settings.GLOSSARY_PUBLIC_READ = True
    assert client.get("/api/v1/terms").status_code == 200
    assert call(client, "/terms", "cg_not-a-real-token").status_code == 401


def test_many_wrong_tokens_from_one_address_are_refused_for_a_while(client, ada, glossary_to_search, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 3
    _, secret = api_token_create(user=ada, name="Script")
    for attempt in range(3):
        assert call(client, "/terms", f"cg_guess-{attempt}").status_code == 401
    refused = call(client, "/terms", "cg_guess-4")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.API_TOKEN_FAILURE_WINDOW
    # Even a right guess is refused now: the address is what is held back.
    assert call(client, "/terms", secret).status_code == 429
    other_address = client.get("/api/v1/terms", headers={"Authorization": f"Bearer {secret}"}, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_a_wrong_token_counts_once_per_call_even_with_an_etag(client, glossary_to_search, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 2
    assert call(client, "/terms", "cg_guess", If_None_Match='"x"').status_code == 401
    assert call(client, "/terms", "cg_guess", If_None_Match='"x"').status_code == 401
    assert call(client, "/terms", "cg_guess").status_code == 429
