import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A Swedish personal identity number: YYMMDD-NNNN, YYYYMMDD-NNNN, YYMMDD+NNNN
# (over 100 years old), with a space or no separator at all. Coordination
# numbers (samordningsnummer) add 60 to the day. Digits glued to other digits
# are not a match, so longer reference numbers pass.
_PERSONNUMMER = re.compile(
    r"(?<![\d])"
    r"(?:(?:18|19|20)(?=\d{6}[-+ ]?\d{4}(?!\d)))?"
    r"(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"[-+ ]?"
    r"\d{4}"
    r"(?![\d])"
)


def contains_personnummer(text):
    for match in _PERSONNUMMER.finditer(text or ""):
        month, day = int(match["mm"]), int(match["dd"])
        if day > 60:
            day -= 60
        if 1 <= month <= 12 and 1 <= day <= 31:
            return True
    return False


PERSONNUMMER_MESSAGE = _(
    "The text seems to contain a personal identity number (personnummer). "
    "Measures in the agreement concern groups and places, not individuals, "
    "so nothing here may identify a person. Remove the number."
)


def reject_personnummer(value):
    if contains_personnummer(value):
        raise ValidationError(PERSONNUMMER_MESSAGE, code="personnummer")
