"""The four roles of Common Ground, mapped onto Django groups and permissions.

A role is a group; what a role may do is the set of permissions below. The workflow asks
`user.has_perm(...)` and the user's department, never the group name, so an organisation can
grant a permission to one person without inventing a fifth role.
"""

READER = "Reader"
CONTRIBUTOR = "Contributor"
APPROVER = "Department approver"
GLOSSARY_ADMIN = "Glossary admin"

PROPOSE = "glossary.propose_change"
SIGN_OFF = "glossary.sign_off"
IMPORT = "glossary.add_term"
MANAGE_WEBHOOKS = "webhooks.manage_webhooks"
# Asked on every page (navigation, actions): answered from the user's own query, not another one.
EVERY_PAGE_PERMISSIONS = [PROPOSE, SIGN_OFF, IMPORT, MANAGE_WEBHOOKS]

_READ = ["glossary.view_term", "glossary.view_definition", "glossary.view_tag", "accounts.view_department"]
_EDIT_EVERYTHING = [
    f"{app}.{action}_{model}"
    for app, models in {
        "glossary": ["term", "definition", "tag"],
        "accounts": ["department", "user"],
    }.items()
    for model in models
    for action in ("add", "change", "view")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    READER: _READ,
    CONTRIBUTOR: _READ + [PROPOSE],
    APPROVER: _READ + [PROPOSE, SIGN_OFF],
    GLOSSARY_ADMIN: sorted(set(_READ + [PROPOSE, SIGN_OFF, MANAGE_WEBHOOKS] + _EDIT_EVERYTHING)),
}


def sync_role_groups(apps) -> None:
    """Create the role groups and give each exactly its permissions (safe to run again).

    Run by migrations: a permission of a model that a later migration adds does not exist yet and
    is left out; the migration adding it runs this again, so every role ends with all of its own.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
