"""Accounts made and kept up to date from verified claims (accounts/identity.py), without a provider."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation

from accounts import roles
from accounts.identity import group_map_parse, user_sync_from_claims
from accounts.models import User

ISSUER = "https://login.example.com"
GROUP_MAP = group_map_parse(
    {
        "it": {"department": "it", "role": "Contributor"},
        "finance": {"department": "finance", "role": "Department approver"},
    }
)


def sync(claims, groups_claim="groups"):
    return user_sync_from_claims(
        issuer=ISSUER, claims=claims, groups_claim=groups_claim, group_map=GROUP_MAP, provider_name="Corp"
    )


def role_of(user):
    return list(
        user.groups.filter(
            name__in=[roles.READER, roles.CONTRIBUTOR, roles.APPROVER, roles.GLOSSARY_ADMIN]
        ).values_list("name", flat=True)
    )


def test_same_subject_at_another_issuer_is_another_person(db):
    first = sync({"sub": "1", "groups": ["it"]})
    other = user_sync_from_claims(
        issuer="https://other.example.com",
        claims={"sub": "1"},
        groups_claim="groups",
        group_map=GROUP_MAP,
        provider_name="Other",
    )
    assert first != other


def test_without_a_groups_claim_roles_are_kept_in_the_admin(db, marketing):
    user = sync({"sub": "g-1", "email": "ana@corp.example"}, groups_claim="")
    assert (user.department, role_of(user)) == (None, [roles.READER])

    # An admin makes her a Marketing approver; her next log-in keeps that.
    user.department = marketing
    user.save()
    user.groups.set([Group.objects.get(name=roles.APPROVER)])
    again = sync({"sub": "g-1", "email": "ana@corp.example"}, groups_claim="")

    assert again.pk == user.pk
    assert (User.objects.get(pk=user.pk).department, role_of(again)) == (marketing, [roles.APPROVER])


def test_a_mapped_department_that_does_not_exist_gives_none(db):
    user = sync({"sub": "f-1", "groups": ["finance"]})
    assert (user.department, role_of(user)) == (None, [roles.APPROVER])


def test_other_django_groups_are_left_alone(db):
    user = sync({"sub": "1", "groups": ["it"]})
    newsletter = Group.objects.create(name="Newsletter")
    user.groups.add(newsletter)
    sync({"sub": "1", "groups": []})
    assert set(user.groups.values_list("name", flat=True)) == {"Newsletter", roles.READER}


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "x" * 5000, "preferred_username": "<script>" * 100, "email": "not an address", "name": "N" * 900},
        {"sub": "2", "preferred_username": "", "email": None, "given_name": 42},
        {"sub": "3", "preferred_username": "ivan", "groups": "it"},
    ],
)
def test_odd_claims_still_make_a_valid_account(db, claims):
    if len(claims["sub"]) > 255:
        with pytest.raises(SuspiciousOperation):
            sync(claims)
        return
    user = sync(claims)
    user.full_clean(exclude=["password"])


@pytest.mark.parametrize("sub", [None, "", 42])
def test_no_usable_subject_is_refused(db, sub):
    with pytest.raises(SuspiciousOperation):
        sync({"sub": sub, "email": "ivan@corp.example"})
    assert not User.objects.exists()


def test_a_taken_username_gets_a_number(db, make_user):
    make_user("ivan")
    assert sync({"sub": "9", "preferred_username": "ivan"}).username == "ivan-2"
    assert sync({"sub": "10", "preferred_username": "ivan"}).username == "ivan-3"


def test_each_change_is_in_the_users_history_with_its_reason(db, it):
    user = sync({"sub": "h", "email": "a@corp.example", "groups": []})
    sync({"sub": "h", "email": "a@corp.example", "groups": ["it"]})
    sync({"sub": "h", "email": "a@corp.example", "groups": ["it"]})
    reasons = list(user.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["First log-in through Corp", "Updated from Corp at log-in"]


def test_a_linked_local_account_is_used_at_the_first_provider_login(db, make_user, it):
    from django.core.management import call_command

    ada = make_user("ada", email="ada@old.example")
    call_command("link_identity", "ada", "sub-ada", issuer=ISSUER)

    user = sync({"sub": "sub-ada", "email": "ada@corp.example", "groups": ["it"]})

    assert user.pk == ada.pk and user.department == it and User.objects.count() == 1


def test_linking_a_subject_twice_is_refused(db, make_user):
    from django.core.management import CommandError, call_command

    make_user("ada")
    make_user("bob")
    call_command("link_identity", "ada", "s1", issuer=ISSUER)
    with pytest.raises(CommandError, match="already exists"):
        call_command("link_identity", "bob", "s1", issuer=ISSUER)
