from django import template

from measures.roles import person_name

register = template.Library()


@register.filter
def person(user):
    """`{{ update.author|person }}`: the name every page uses for a person,
    safe for one who was removed or deactivated."""
    return person_name(user)
