from django import template
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, param, number):
    """The current address with page `number` in the query parameter `param`,
    for a page with more than one list to leaf through."""
    return querystring(context, **{param: number})
