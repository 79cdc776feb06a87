"""Model fields with limits that are rules, not hints."""

from django.core import validators
from django.db import models
from django.utils.functional import cached_property


class LimitedTextField(models.TextField):
    """A TextField whose max_length is checked by model validation, like a CharField's.

    Django's TextField only passes max_length on to forms. The glossary's long texts must still fit
    a diff, a PDF page and an export, so every way in (forms, imports, the admin) is held to it.
    """

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, validators.MaxLengthValidator(self.max_length)]


def max_length(model, field_name: str) -> int:
    """The limit a model declares for one of its fields: the one source forms and imports read."""
    return model._meta.get_field(field_name).max_length
