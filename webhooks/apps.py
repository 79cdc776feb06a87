from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from glossary import events
        from glossary.services import tick
        from webhooks.events import KINDS, deliveries_store
        from webhooks.sending import webhook_deliveries_due
        from webhooks.services import webhook_deliveries_prune

        # The glossary's events webhooks hear (glossary.events); nothing else wires them.
        for event_type in KINDS:
            events.subscribe(event_type, deliveries_store)
        tick.tick_jobs_add(
            sends=[("webhook deliveries tried", webhook_deliveries_due)],
            removals=[("old webhook deliveries removed", lambda now: webhook_deliveries_prune(now=now))],
        )
