from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext

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


def _number(value):
    """A stored decimal as Swedes write it: no trailing zeros, a decimal
    comma, a space between thousands (27,5 · 1 204)."""
    number = Decimal(str(value))
    number = number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()
    return formats.number_format(number, force_grouping=True)


@register.filter
def measured(value, unit):
    """`{{ value|measured:indicator.unit }}`: a value of an indicator with its unit."""
    if value is None or value == "":
        return "–"
    number = _number(value)
    if unit == "percent":
        return f"{number}\u00a0%"
    if unit == "rate":
        return gettext("%(value)s per 1,000 inhabitants") % {"value": number}
    return number


@register.filter
def change(value):
    """A change between two values, signed with a real minus sign: +1,2 · −0,5 · ±0."""
    if value is None:
        return ""
    if value > 0:
        return f"+{_number(value)}"
    if value < 0:
        return f"\u2212{_number(-value)}"
    return "±0"


@register.filter
def minus(number):
    """A number with a real minus sign when negative: −35."""
    if number is None:
        return ""
    return f"\u2212{-number}" if number < 0 else str(number)
