"""Demo accounts for trying Common Ground out; README.md lists them."""

from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import Department, User

DEMO_PASSWORD = "common-ground-demo"

# username, full name, department slug, role
DEMO_USERS = [
    ("ada", "Ada Lindqvist", "it", roles.CONTRIBUTOR),
    ("ivan", "Ivan Okafor", "it", roles.APPROVER),
    ("maya", "Maya Brennan", "marketing", roles.CONTRIBUTOR),
    ("marco", "Marco Silva", "marketing", roles.APPROVER),
    ("admin", "Glossary Admin", None, roles.GLOSSARY_ADMIN),
]


def create_demo_users() -> list[tuple[User, bool]]:
    """Create any missing demo account; existing accounts are left exactly as they are."""
    results = []
    for username, full_name, department_slug, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is not None:
            results.append((user, False))
            continue
        first, last = full_name.split(" ", 1)
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.com",
            department=Department.objects.filter(slug=department_slug).first() if department_slug else None,
            is_staff=role == roles.GLOSSARY_ADMIN,
            is_superuser=role == roles.GLOSSARY_ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user._change_reason = "Demo account"
        user.save()
        user.groups.add(Group.objects.get(name=role))
        results.append((user, True))
    return results
