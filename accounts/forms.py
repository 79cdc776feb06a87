from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from accounts.models import ApiToken


class LoginForm(AuthenticationForm):
    """Django's log-in form, refusing over-long usernames before they reach authentication.

    AuthenticationForm sets the username's max_length without adding its validator, so a huge
    username would reach the lock-out records (which hold at most 255 characters).
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "read_only"]
        labels = {"name": "Name", "read_only": "Read-only"}
        error_messages = {"name": {"required": "Give the token a name, so that you can tell it apart later."}}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if "\x00" in name:
            raise forms.ValidationError("A name cannot contain NUL characters.")
        return name
