import pytest
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import Department

pytestmark = pytest.mark.django_db


def test_departments_it_and_marketing_are_seeded():
    assert list(Department.objects.values_list("name", flat=True)) == ["IT", "Marketing"]


@pytest.mark.parametrize(
    "role, may_propose, may_sign_off, may_edit_directly",
    [
        (roles.READER, False, False, False),
        (roles.CONTRIBUTOR, True, False, False),
        (roles.APPROVER, True, True, False),
        (roles.GLOSSARY_ADMIN, True, True, True),
    ],
)
def test_each_role_grants_exactly_its_permissions(make_user, it, role, may_propose, may_sign_off, may_edit_directly):
    user = make_user(f"user-{role}", department=it, role=role)
    assert user.has_perm("glossary.view_term")
    assert user.has_perm(roles.PROPOSE) is may_propose
    assert user.has_perm(roles.SIGN_OFF) is may_sign_off
    assert user.has_perm("glossary.change_term") is may_edit_directly


def test_role_groups_can_be_resynced_without_duplicates():
    from django.apps import apps

    roles.sync_role_groups(apps)
    assert Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).count() == 4


def test_login_alone_writes_no_user_version(client, ada):
    before = ada.history.count()
    client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests-only"})
    ada.refresh_from_db()
    assert ada.last_login is not None
    assert ada.history.count() == before
