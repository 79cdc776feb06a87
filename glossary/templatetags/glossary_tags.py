from django import template

from glossary import rendering

register = template.Library()


@register.filter
def markdown(value):
    return rendering.render_markdown(value)


@register.filter
def first_line(value):
    return rendering.first_line(value)


@register.filter
def by_department(definitions, department):
    """The definition among a prefetched list that belongs to `department`, or None."""
    for definition in definitions:
        if definition.department_id == department.pk:
            return definition
    return None
