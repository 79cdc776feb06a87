from django.apps import AppConfig
from django.conf import settings


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and departments"

    def ready(self):
        # A group mapping naming a role that does not exist stops the start, with the reason,
        # rather than failing every log-in through the identity provider later.
        from accounts.identity import group_map_parse

        group_map_parse(settings.OIDC_GROUP_MAP)
