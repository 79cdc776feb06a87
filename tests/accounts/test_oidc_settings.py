"""The identity provider is configured by environment variables only: read in a fresh process,
as a server would read them at start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test reads the variables in a Django process of its own, started for it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'backends': s.AUTHENTICATION_BACKENDS, 'csp': s.CONTENT_SECURITY_POLICY, "
    "'map': s.OIDC_GROUP_MAP, 'local': s.OIDC_LOCAL_LOGIN, 'break_glass': s.OIDC_BREAK_GLASS_USERS}))"
)


def settings_with(**env):
    clean = {name: value for name, value in os.environ.items() if not name.startswith("OIDC_")}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_the_variables_login_is_as_today():
    shown = json.loads(settings_with().stdout)
    assert shown["backends"] == ["axes.backends.AxesStandaloneBackend", "accounts.backends.DepartmentAwareBackend"]
    assert "form-action 'self';" in shown["csp"] + ";"


def test_the_variables_switch_the_provider_on():
    mapping = {"g-it": {"department": "it", "role": "Contributor"}}
    shown = json.loads(
        settings_with(
            OIDC_ISSUER="https://login.example.com/realms/corp/",
            OIDC_CLIENT_ID="glossary",
            OIDC_CLIENT_SECRET="s",
            OIDC_GROUP_MAP=json.dumps(mapping),
            OIDC_LOCAL_LOGIN="break-glass-only",
            OIDC_BREAK_GLASS_USERS="admin, root",
        ).stdout
    )
    assert shown["backends"] == [
        "axes.backends.AxesStandaloneBackend",
        "accounts.oidc.BreakGlassPasswordGate",
        "accounts.backends.DepartmentAwareBackend",
        "accounts.oidc.OidcBackend",
    ]
    assert "form-action 'self' https://login.example.com" in shown["csp"]
    assert (shown["map"], shown["local"], shown["break_glass"]) == (mapping, "break-glass-only", ["admin", "root"])


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"OIDC_GROUP_MAP": "{not json"}, "OIDC_GROUP_MAP is not valid JSON"),
        ({"OIDC_LOCAL_LOGIN": "nobody"}, "OIDC_LOCAL_LOGIN must be"),
        ({"OIDC_GROUP_MAP": '{"g-it": {"department": "it", "role": "Boss"}}'}, "unknown role 'Boss'"),
        (
            {
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": "k" * 30 + "abcdefghijklmnopqrstuvwxyz",
                "DJANGO_ALLOWED_HOSTS": "glossary.example.com",
            },
            "OIDC_ISSUER must be an https:// address",
        ),
    ],
)
def test_a_bad_configuration_stops_the_start_with_the_reason(env, says):
    result = settings_with(OIDC_ISSUER="http://127.0.0.1:9", OIDC_CLIENT_ID="glossary", **env)
    assert result.returncode != 0 and says in result.stderr
