from django.apps import AppConfig


class GlossaryConfig(AppConfig):
    name = "glossary"
    verbose_name = "Glossary"

    def ready(self):
        from accounts.backends import annotate_users_for_pages
        from glossary import caching, events
        from glossary.mail import tasks as mail_tasks
        from glossary.services import watching

        # The workflow's state comes with the user, in the one query a page makes for them.
        annotate_users_for_pages("workflow_state", caching.workflow_state_expression)

        # The glossary's own reactors to its events (glossary.events); other apps' subscribe in their ready().
        # Mail: to the approvers a proposal waits for, and to its author on a decision.
        events.subscribe(events.ProposalOpened, mail_tasks.queue_waiting_mail)
        events.subscribe(events.ProposalRevised, mail_tasks.queue_waiting_mail)
        events.subscribe(events.ProposalDecided, mail_tasks.queue_decision_mail)
        events.subscribe(events.ProposalPublished, mail_tasks.queue_published_mail)
        events.subscribe(events.TermDeprecated, mail_tasks.queue_published_mail)
        events.subscribe(events.ProposalOutOfDate, mail_tasks.queue_out_of_date_mail)
        # Watching: notices recorded with the change itself, the immediate ones mailed after it commits.
        for event_type in (
            events.ProposalOpened,
            events.ProposalRevised,
            events.ProposalPublished,
            events.TermDeprecated,
        ):
            events.subscribe(event_type, watching.watch_notices_record, in_transaction=True)
            events.subscribe(event_type, mail_tasks.queue_watch_mail)
