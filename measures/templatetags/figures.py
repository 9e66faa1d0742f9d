from django import template

register = template.Library()


@register.filter
def signed(number):
    """A change as people write it: +1, −2, ±0 (with a real minus sign)."""
    if number is None:
        return ""
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"\u2212{-number}"
    return "±0"


@register.filter
def share(part, whole):
    """`part` as a whole percentage of `whole`, 0 when there is nothing."""
    return round(100 * part / whole) if whole else 0
