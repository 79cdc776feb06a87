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


def test_a_user_loaded_for_a_page_knows_the_page_permissions_without_another_query(
    make_user, it, django_assert_num_queries
):
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from accounts.backends import DepartmentAwareBackend

    direct = make_user("direct", department=it, role=roles.READER)
    direct.user_permissions.add(Permission.objects.get(codename="sign_off"))
    twice = make_user("twice", department=it, role=roles.CONTRIBUTOR)
    twice.groups.add(Group.objects.get(name=roles.APPROVER))  # propose granted by two groups
    users = [make_user(f"user-{role}", department=it, role=role) for role in roles.ROLE_PERMISSIONS] + [direct, twice]
    for user in users:
        expected = {perm: ModelBackend().has_perm(user, perm) for perm in roles.EVERY_PAGE_PERMISSIONS}
        with django_assert_num_queries(1):
            loaded = DepartmentAwareBackend().get_user(user.pk)
            held = {perm: loaded.has_perm(perm) for perm in roles.EVERY_PAGE_PERMISSIONS}
        assert held == expected, user.username
    assert held == {roles.PROPOSE: True, roles.SIGN_OFF: True, roles.IMPORT: False, roles.MANAGE_WEBHOOKS: False}
