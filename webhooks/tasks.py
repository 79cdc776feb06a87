"""The task worker's part of webhooks, on the webhooks queue: the first try of each delivery, as soon
as it is stored."""

from django.utils import timezone
from django_tasks import task

from glossary import queues
from webhooks.sending import webhook_delivery_attempt


@task(queue_name=queues.WEBHOOKS)
def deliver_webhook(delivery_id: int) -> None:
    # Retries are not queued here: they are rows due later, sent by `manage.py glossary_tick`.
    webhook_delivery_attempt(delivery_id=delivery_id, now=timezone.now())
