import pytest

from tests.oidc_support import AFTER_LOGOUT, CALLBACK, oidc_settings, provider_start


@pytest.fixture(scope="module")
def identity_provider(tmp_path_factory):
    """The real test provider (tests/oidc_provider), one per module, knowing the app's addresses."""
    provider = provider_start(tmp_path_factory.mktemp("idp"), [CALLBACK], [AFTER_LOGOUT])
    yield provider
    provider.stop()


@pytest.fixture
def idp(identity_provider, settings, db):
    """The provider, with the app configured for it and an empty directory."""
    oidc_settings(settings, identity_provider.issuer)
    identity_provider.set_users({})
    return identity_provider
