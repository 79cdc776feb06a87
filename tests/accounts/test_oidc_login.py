"""Log-in through a real OpenID Connect provider (node's oidc-provider, started on 127.0.0.1):
accounts created and kept up to date from the directory's groups, refusals, the provider down."""

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.messages import get_messages

from accounts import roles
from accounts.models import OidcIdentity, User
from accounts.oidc import OidcBackend
from tests.oidc_support import (
    AFTER_LOGOUT,
    CALLBACK,
    CLIENT_ID,
    closed_port_address,
    oidc_settings,
    provider_sign_in,
    provider_start,
)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


IVAN = {"sub": "a1b2-ivan", "email": "ivan@corp.example", "name": "Ivan Okafor", "preferred_username": "ivan.okafor"}
MAYA = {"sub": "c3d4-maya", "email": "maya@corp.example", "name": "Maya Brennan", "preferred_username": "maya"}


def test_login_page_is_as_before_without_a_provider(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "oidc/authenticate" not in page
    assert 'name="password"' in page
    assert client.get("/oidc/authenticate/").status_code == 404


def test_login_page_offers_the_provider_when_configured(client, idp):
    page = client.get("/accounts/login/").content.decode()
    assert "Log in with Test IdP" in page
    assert 'href="/oidc/authenticate/"' in page


def test_login_request_carries_state_nonce_and_a_pkce_challenge(client, idp):
    location = client.get("/oidc/authenticate/")["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{idp.issuer}/auth?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0] and query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK]


@pytest.mark.parametrize(
    "next_url, kept",
    [("/search/?q=x", "/search/?q=x"), ("foo", None), ("//evil.example", None), ("/\\evil.example", None)],
)
def test_the_provider_log_in_keeps_only_a_next_that_is_a_path_on_this_site(client, idp, next_url, kept):
    assert client.get("/oidc/authenticate/", {"next": next_url}).status_code == 302
    assert client.session.get("oidc_login_next") == kept


def test_first_login_creates_the_user_with_the_mapped_department_and_role(client, idp, it):
    idp.set_users({"ivan": {**IVAN, "groups": ["glossary-it-approvers", "staff-canteen"]}})

    response = provider_sign_in(client, "ivan", next_url="/search/")

    assert response.status_code == 302 and response["Location"] == "/search/"
    user = User.objects.get(oidc_identities__subject=IVAN["sub"])
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "ivan.okafor",
        "ivan@corp.example",
        "Ivan",
        "Okafor",
    )
    assert user.department == it
    assert list(user.groups.values_list("name", flat=True)) == [roles.APPROVER]
    assert user.has_perm(roles.SIGN_OFF) and not user.is_staff
    assert not user.has_usable_password()
    assert OidcIdentity.objects.get(user=user).issuer == idp.issuer
    assert client.get("/").wsgi_request.user == user


def test_group_change_in_the_directory_applies_at_the_next_login(client, idp, it, marketing):
    idp.set_users({"maya": {**MAYA, "groups": ["glossary-marketing-approvers"]}})
    provider_sign_in(client, "maya")
    maya = User.objects.get(username="maya")
    assert (maya.department, maya.has_perm(roles.SIGN_OFF)) == (marketing, True)
    client.post("/accounts/logout/")

    # Moved to IT, as a contributor only.
    idp.set_users({"maya": {**MAYA, "groups": ["glossary-it"]}})
    provider_sign_in(client, "maya")

    maya = User.objects.get(pk=maya.pk)
    assert maya.department == it
    assert list(maya.groups.values_list("name", flat=True)) == [roles.CONTRIBUTOR]
    assert not maya.has_perm(roles.SIGN_OFF)
    assert User.objects.filter(oidc_identities__subject=MAYA["sub"]).count() == 1


def test_changed_email_keeps_the_same_account(client, idp):
    idp.set_users({"maya": {**MAYA, "groups": ["glossary-marketing"]}})
    provider_sign_in(client, "maya")
    client.post("/accounts/logout/")

    idp.set_users({"maya": {**MAYA, "email": "maya.brennan@corp.example", "groups": ["glossary-marketing"]}})
    provider_sign_in(client, "maya")

    assert User.objects.count() == 1
    assert User.objects.get().email == "maya.brennan@corp.example"


def test_same_email_with_another_subject_is_another_account(client, idp, make_user):
    local = make_user("maya", email=MAYA["email"])
    idp.set_users({"maya": {**MAYA, "groups": []}})

    provider_sign_in(client, "maya")

    signed_in = client.get("/").wsgi_request.user
    assert signed_in != local and signed_in.username == "maya-2"


def test_unknown_groups_make_a_reader_without_department(client, idp):
    idp.set_users({"ivan": {**IVAN, "groups": ["everyone", "glossary-finance"]}})

    provider_sign_in(client, "ivan")

    user = User.objects.get()
    assert user.department is None
    assert list(user.groups.values_list("name", flat=True)) == [roles.READER]
    assert not user.has_perm(roles.PROPOSE)


def test_admin_group_gives_glossary_admin_and_the_admin_site_but_never_superuser(client, idp):
    idp.set_users({"ivan": {**IVAN, "groups": ["glossary-admins", "glossary-it"]}})

    provider_sign_in(client, "ivan")

    user = User.objects.get()
    assert list(user.groups.values_list("name", flat=True)) == [roles.GLOSSARY_ADMIN]
    assert user.is_staff and not user.is_superuser


def test_replayed_callback_is_refused(client, idp, django_user_model):
    idp.set_users({"ivan": {**IVAN, "groups": ["glossary-it"]}})
    first = provider_sign_in(client, "ivan")
    assert first.status_code == 302

    # Another browser that started its own log-in, handed the first one's answer (code, state).
    from django.test import Client

    other = Client()
    other.get("/oidc/authenticate/")
    replayed = other.get(first.callback_url)

    assert replayed.status_code == 302 and replayed["Location"] == "/accounts/login/"
    assert not other.get("/").wsgi_request.user.is_authenticated
    assert any("could not be completed" in message for message in messages_of(replayed))


def test_forged_id_token_from_the_token_endpoint_is_refused(client, idp, monkeypatch):
    """The provider is real; the token endpoint's answer is replaced by a token signed with
    another key (as a man in the middle would): the log-in fails and no account is made."""
    idp.set_users({"ivan": {**IVAN, "groups": ["glossary-it-approvers"]}})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    real_get_token = OidcBackend.get_token

    def forged(self, payload):
        tokens = real_get_token(self, payload)
        claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
        header = jwt.get_unverified_header(tokens["id_token"])
        tokens["id_token"] = jwt.encode(
            {**claims, "sub": "someone-else"}, other_key, algorithm="RS256", headers={"kid": header.get("kid")}
        )
        return tokens

    monkeypatch.setattr(OidcBackend, "get_token", forged)
    response = provider_sign_in(client, "ivan")

    assert response["Location"] == "/accounts/login/"
    assert any("could not be completed" in message for message in messages_of(response))
    assert not User.objects.exists()


def test_wrong_password_at_the_provider_logs_nobody_in(client, idp):
    idp.set_users({"ivan": {**IVAN, "groups": ["glossary-it"]}})
    with pytest.raises(AssertionError):
        provider_sign_in(client, "ivan", password="not-it")
    assert not User.objects.exists()


def test_logout_ends_the_provider_session_too(client, idp):
    idp.set_users({"ivan": {**IVAN, "groups": ["glossary-it"]}})
    provider_sign_in(client, "ivan")

    response = client.post("/accounts/logout/")

    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{idp.issuer}/session/end"
    assert query["post_logout_redirect_uri"] == [AFTER_LOGOUT] and query["client_id"] == [CLIENT_ID]
    assert jwt.decode(query["id_token_hint"][0], options={"verify_signature": False})["sub"] == IVAN["sub"]
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_password_users_log_out_as_before(client, idp, ada):
    client.force_login(ada, backend="accounts.backends.DepartmentAwareBackend")
    assert client.post("/accounts/logout/")["Location"] == "/"


def test_provider_down_says_so_on_the_login_page_and_break_glass_still_works(client, settings, make_user, db):
    oidc_settings(
        settings,
        closed_port_address(),
        OIDC_LOCAL_LOGIN="break-glass-only",
        OIDC_BREAK_GLASS_USERS=["emergency"],
        OIDC_TIMEOUT=2,
    )
    make_user("emergency", role=roles.GLOSSARY_ADMIN, is_staff=True)
    make_user("ada")

    response = client.get("/oidc/authenticate/", follow=True)

    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert "Test IdP cannot be reached just now" in response.content.decode()
    refused = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests-only"})
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated
    allowed = client.post("/accounts/login/", {"username": "emergency", "password": "pw-for-tests-only"})
    assert allowed.status_code == 302 and client.get("/").wsgi_request.user.username == "emergency"


def test_break_glass_only_also_holds_on_the_admin_login(client, settings, make_user, db):
    oidc_settings(
        settings, closed_port_address(), OIDC_LOCAL_LOGIN="break-glass-only", OIDC_BREAK_GLASS_USERS=["emergency"]
    )
    make_user("root2", role=roles.GLOSSARY_ADMIN, is_staff=True, is_superuser=True)

    client.post("/admin/login/?next=/admin/", {"username": "root2", "password": "pw-for-tests-only"})

    assert not client.get("/admin/").wsgi_request.user.is_authenticated


def test_passwords_work_for_everyone_unless_switched_off(client, settings, make_user, db):
    oidc_settings(settings, closed_port_address())
    make_user("ada")
    response = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests-only"})
    assert response.status_code == 302


def test_provider_down_between_its_login_page_and_the_callback_says_so(client, settings, tmp_path, db):
    provider = provider_start(tmp_path, [CALLBACK], [AFTER_LOGOUT])
    try:
        oidc_settings(settings, provider.issuer, OIDC_TIMEOUT=2)
        provider.set_users({"ivan": {**IVAN, "groups": ["glossary-it"]}})
        response = provider_sign_in(client, "ivan", before_callback=provider.stop)
    finally:
        provider.stop()

    assert response["Location"] == "/accounts/login/"
    assert any("Test IdP cannot be reached just now" in message for message in messages_of(response))
    assert not User.objects.exists()


def test_an_error_from_the_provider_is_said_on_the_login_page(client, idp):
    state = parse_qs(urlsplit(client.get("/oidc/authenticate/")["Location"]).query)["state"][0]

    response = client.get("/oidc/callback/", {"error": "access_denied", "state": state})

    assert response["Location"] == "/accounts/login/"
    assert any("could not be completed" in message for message in messages_of(response))
    # The state is used up: the same answer cannot be tried again.
    assert state not in client.session.get("oidc_states", {})


def test_a_deactivated_account_cannot_log_in_through_the_provider(client, idp):
    idp.set_users({"ivan": {**IVAN, "groups": ["glossary-it"]}})
    provider_sign_in(client, "ivan")
    client.post("/accounts/logout/")
    User.objects.filter(oidc_identities__subject=IVAN["sub"]).update(is_active=False)

    response = provider_sign_in(client, "ivan")

    assert response["Location"] == "/accounts/login/"
    assert not client.get("/").wsgi_request.user.is_authenticated
