"""Webhooks: tell other systems (and Slack or Teams channels) what happens in the glossary.

events    the event kinds, their payloads, and the functions the workflow calls after commit
services  register, pause, resume, delete, re-key an endpoint; fire an event; send what is due
selectors what the pages and the senders read
signing   the Standard Webhooks headers and signature
formats   the body: Standard Webhooks JSON, or a Slack or Teams message
delivery  one HTTP POST, with a deadline and a cap on what is read back
tasks     the task worker's part: the first try of each delivery
"""
