"""Webhooks: tell other systems (and Slack or Teams channels) what happens in the glossary.

An app of its own, depending on the glossary and never the other way round: it hears the
glossary's events (glossary.events) through the subscriber its AppConfig.ready() wires.

events    which glossary event becomes which webhook event: the subscriber, storing deliveries
payloads  the event kinds and what each one carries
services  register, pause, resume, delete, re-key an endpoint; fire an event; remove old deliveries
sending   one try of a delivery, the retries, pausing an endpoint that keeps failing
selectors what the pages and the senders read
signing   the Standard Webhooks headers and signature
formats   the body: Standard Webhooks JSON, or a Slack or Teams message
delivery  one HTTP POST, with a deadline and a cap on what is read back
addresses which addresses may be posted to, checked where the connection opens
tasks     the task worker's part: the first try of each delivery
"""
