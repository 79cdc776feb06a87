from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's log-in form, refusing over-long usernames before they reach authentication.

    AuthenticationForm sets the username's max_length without adding its validator, so a huge
    username would reach the lock-out records (which hold at most 255 characters).
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
