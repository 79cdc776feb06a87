"""The ID-token checks and the group mapping on their own: tokens signed here, with the provider's
key and with others, against a JWKS that holds only the provider's public key."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

from accounts import roles
from accounts.identity import Access, access_from_groups, group_map_parse, groups_from_claims
from accounts.oidc import IdTokenRefused, id_token_verify

ISSUER = "https://login.example.com"
CLIENT = "common-ground"
NONCE = "nonce-of-this-log-in"
SKEW = 60

PROVIDER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWKS = {
    "keys": [
        {
            **jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key(), as_dict=True),
            "kid": "k1",
            "use": "sig",
            "alg": "RS256",
        }
    ]
}


def token(*, key=PROVIDER_KEY, algorithm="RS256", kid="k1", **changes):
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "a1b2", "aud": CLIENT, "iat": now, "exp": now + 300, "nonce": NONCE, **changes}
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})


def verify(raw, nonce=NONCE):
    return id_token_verify(raw, jwks=JWKS, issuer=ISSUER, client_id=CLIENT, nonce=nonce, leeway=SKEW)


def test_provider_signed_token_for_this_login_is_accepted():
    assert verify(token())["sub"] == "a1b2"


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(lambda: token(key=OTHER_KEY), id="signed with a key not in the JWKS"),
        pytest.param(lambda: token(kid="k2"), id="a key id the JWKS does not have"),
        pytest.param(lambda: token(aud="another-app"), id="wrong audience"),
        pytest.param(lambda: token(aud=[CLIENT, "another-app"]), id="several audiences, no azp"),
        pytest.param(lambda: token(aud=[CLIENT, "another-app"], azp="another-app"), id="several audiences, other azp"),
        pytest.param(lambda: token(iss="https://evil.example.com"), id="wrong issuer"),
        pytest.param(lambda: token(exp=int(time.time()) - SKEW - 30), id="expired beyond the clock skew"),
        pytest.param(lambda: token(iat=int(time.time()) + SKEW + 30), id="issued in the future beyond the skew"),
        pytest.param(lambda: token(nonce="nonce-of-an-earlier-log-in"), id="replayed: another log-in's nonce"),
        pytest.param(lambda: token(nonce=None), id="no nonce"),
        pytest.param(lambda: token(sub=None), id="no subject"),
        pytest.param(lambda: token(exp=None), id="no expiry"),
        pytest.param(
            lambda: token(algorithm="HS256", key="the-client-secret-someone-guessed-right"), id="HS256 with a secret"
        ),
        pytest.param(
            lambda: jwt.encode({"iss": ISSUER, "sub": "x", "aud": CLIENT}, None, algorithm="none"), id="alg none"
        ),
        pytest.param(lambda: token()[:-4] + "AAAA", id="signature bytes changed"),
        pytest.param(lambda: "not.a.token", id="not a JWT"),
        pytest.param(lambda: "", id="empty"),
    ],
)
def test_forged_or_stale_id_token_is_refused(forged):
    with pytest.raises(IdTokenRefused):
        verify(forged())


def test_no_nonce_expected_means_refused():
    with pytest.raises(IdTokenRefused):
        verify(token(), nonce=None)


@pytest.mark.parametrize("seconds", [-55, 55])
def test_clock_skew_within_60_seconds_is_accepted(seconds):
    now = int(time.time())
    # A provider clock ahead (issued "in the future") or behind (expired a moment ago) by under a minute.
    raw = token(iat=now + seconds, exp=now + seconds + 1) if seconds > 0 else token(iat=now - 300, exp=now + seconds)
    assert verify(raw)["sub"] == "a1b2"


def test_several_audiences_with_us_as_authorized_party_are_accepted():
    assert verify(token(aud=[CLIENT, "api"], azp=CLIENT))["sub"] == "a1b2"


GROUP_MAP = group_map_parse(
    {
        "it": {"department": "it", "role": "contributor"},
        "it-approvers": {"department": "it", "role": "Department approver"},
        "mkt": {"department": "marketing", "role": "Contributor"},
        "admins": {"role": "Glossary admin"},
        "it-readers": {"department": "it"},
    }
)


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([], Access(None, roles.READER)),
        (["unknown", "others"], Access(None, roles.READER)),
        (["it-readers"], Access("it", roles.READER)),
        (["it", "it-approvers"], Access("it", roles.APPROVER)),
        (["it", "admins"], Access("it", roles.GLOSSARY_ADMIN)),
        # Two departments: a directory mistake, and no side is guessed.
        (["it", "mkt"], Access(None, roles.CONTRIBUTOR)),
    ],
)
def test_groups_give_department_and_highest_role(groups, expected):
    assert access_from_groups(groups, GROUP_MAP) == expected


@pytest.mark.parametrize("claim", [None, 42, {"a": 1}, [None, {"x": 1}]])
def test_a_groups_claim_of_the_wrong_shape_gives_no_groups(claim):
    assert groups_from_claims({"groups": claim}, "groups") == []


def test_a_single_group_as_a_string_counts():
    assert groups_from_claims({"roles": "it"}, "roles") == ["it"]


@pytest.mark.parametrize("raw", [[], {"g": "it"}, {"g": {"role": "Boss"}}, {"g": {"dept": "it"}}])
def test_a_bad_group_map_is_a_configuration_error(raw):
    with pytest.raises(ImproperlyConfigured):
        group_map_parse(raw)
