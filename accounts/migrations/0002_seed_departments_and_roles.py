from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import sync_role_groups

DEPARTMENTS = [
    ("IT", "it", 10, "The CIO's organisation: architecture, delivery, operations and security."),
    ("Marketing", "marketing", 20, "The CMO's organisation: brand, campaigns, customer experience and growth."),
]


def seed(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for name, slug, position, description in DEPARTMENTS:
        Department.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position, "description": description}
        )
    # Permissions are normally created after all migrations; the role groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("glossary", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
