"""A script's view of the API: calls made with a user's personal token."""

import json

from django.test import Client

from accounts.services import api_token_create


class Caller:
    """Calls the API with a user's personal token, as a script would."""

    def __init__(self, user, read_only=False):
        self.user = user
        _, self.secret = api_token_create(user=user, name="Script", read_only=read_only)
        self.client = Client()

    def __call__(self, method, address, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return getattr(self.client, method)(
            f"/api/v1{address}",
            data=data,
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.secret}"},
        )
