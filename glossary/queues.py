"""The task worker's queues (`manage.py db_worker --queue-name …`), declared in settings.TASKS.

Each kind of background work waits only behind its own kind: a slow webhook receiver or mail
server never holds up a PDF export, and a long export never holds up a mail.
"""

EXPORTS = "exports"  # large PDF exports: glossary.interchange.tasks
WEBHOOKS = "webhooks"  # each webhook delivery's first try: webhooks.tasks
MAIL = "mail"  # the e-mail a change made in a web request causes: glossary.mail.tasks
