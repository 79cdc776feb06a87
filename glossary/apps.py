from django.apps import AppConfig


class GlossaryConfig(AppConfig):
    name = "glossary"
    verbose_name = "Glossary"

    def ready(self):
        from accounts.backends import annotate_users_for_pages
        from glossary import caching

        # The workflow's state comes with the user, in the one query a page makes for them.
        annotate_users_for_pages("workflow_state", caching.workflow_state_expression)
