from django import forms

from webhooks import payloads
from webhooks.models import WebhookEndpoint
from webhooks.services import URL_LIMIT, webhook_url_problem


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=URL_LIMIT,
        help_text="Where events are posted, e.g. https://hooks.slack.com/services/… Must be https:// in production.",
        error_messages={"required": "Give the address the events are posted to."},
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=list(payloads.SUBSCRIBABLE.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one event.",
            "invalid_choice": "Choose among the listed events.",
        },
    )
    format = forms.ChoiceField(
        label="Format",
        choices=WebhookEndpoint.Format.choices,
        initial=WebhookEndpoint.Format.STANDARD,
        help_text="Standard Webhooks JSON for your own systems, or a message a Slack or Teams channel shows.",
    )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        problem = webhook_url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
