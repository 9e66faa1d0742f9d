"""Rules for the free text people type into the app, in forms and in the admin.

Text is pasted from Word, PDFs, e-mail and phones. It must show and export
as typed (no control characters, nothing that reverses its direction, not
only invisible characters), and it must not identify a person: rule 6 of
PRODUCT.md refuses a Swedish personal identity number (personnummer) in any
free-text field, however it was spelled.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that change the direction of the text around them (embeddings,
# overrides and isolates). They can make stored text read differently on
# screen from what it says ("Trojan Source").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\r\t")


def _is_noncharacter(ch):
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _codepoint(ch):
    return f"U+{ord(ch):04X}"


def _check_characters(value, *, multiline):
    for ch in value:
        if ch in _LINE_BREAKS:
            if not multiline:
                raise ValidationError(
                    _("Write this on one line, without line breaks or tabs."),
                    code="line_break",
                )
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or _is_noncharacter(ch):
            raise ValidationError(
                _(
                    "The text contains a control character (%(char)s) that cannot be shown "
                    "or exported. Remove it: it often comes along when text is pasted from "
                    "another program."
                ),
                code="control_character",
                params={"char": _codepoint(ch)},
            )
        if ch in _BIDI_CONTROLS:
            raise ValidationError(
                _(
                    "The text contains a hidden character (%(char)s) that reverses the "
                    "direction of the text around it, so it can read differently from what "
                    "is stored. Remove it."
                ),
                code="bidi_control",
                params={"char": _codepoint(ch)},
            )
    if value and not any(_is_visible(ch) for ch in value):
        raise ValidationError(
            _("Write the text with visible characters: this holds only invisible ones."),
            code="invisible",
        )


def _is_visible(ch):
    # Spaces and format characters (zero-width space, joiners, soft hyphen,
    # direction marks) show nothing on their own.
    return not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp")


# --- Rule 6: personnummer

_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d")


def _normalise(text):
    """The text as a number reads to a person: compatibility forms folded
    (full-width digits), every decimal digit as 0–9, every dash and minus as
    "-", every space as " ", and invisible characters removed."""
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(ch)
        if category == "Nd":
            out.append(str(unicodedata.digit(ch)))
        elif ch in _DASHES:
            out.append("-")
        elif category == "Cf":
            continue
        elif category == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# YYMMDD or YYYYMMDD (the date groups may be spaced), then the four last
# digits. Coordination numbers (samordningsnummer) add 60 to the day. Digits
# glued to other digits are not a match, so longer numbers pass.
_NUMBER = re.compile(
    r"(?<!\d)"
    r"(?:(?:18|19|20) ?(?=\d{2} ?\d{2} ?\d{2}))?"
    r"(?P<yy>\d{2}) ?(?P<mm>\d{2}) ?(?P<dd>\d{2})"
    r"(?P<sep> {0,2}[-+] {0,2}| ?)"
    r"(?P<serial>\d{4})"
    r"(?!\d)"
)


def _luhn_ok(digits):
    total = 0
    for index, digit in enumerate(int(d) for d in digits):
        product = digit * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def personnummer_in(text):
    """None, "certain" or "ambiguous": does the text hold a personnummer?

    Any number shaped like one, with a real date, is refused. Written with
    its dash or plus, or with a correct control digit, it is certainly one.
    Otherwise it may be another number written without its usual
    separators (a phone number, a reference), and the message says how to
    write that so it passes.
    """
    found = None
    for match in _NUMBER.finditer(_normalise(text or "")):
        month, day = int(match["mm"]), int(match["dd"])
        if day > 60:
            day -= 60
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        digits = match["yy"] + match["mm"] + match["dd"] + match["serial"]
        if match["sep"].strip() or _luhn_ok(digits):
            return "certain"
        found = "ambiguous"
    return found


def contains_personnummer(text):
    return personnummer_in(text) is not None


_WHY = _(
    "Measures in the agreement concern groups and places, not individuals, so nothing "
    "here may identify a person."
)


def reject_personnummer(value):
    kind = personnummer_in(value)
    if kind == "certain":
        raise ValidationError(
            _(
                "The text seems to contain a personal identity number (personnummer). "
                "%(why)s Remove the number."
            ),
            code="personnummer",
            params={"why": _WHY},
        )
    if kind == "ambiguous":
        raise ValidationError(
            _(
                "The text contains a number that reads as a personal identity number "
                "(personnummer). %(why)s If it is something else, write it with its usual "
                "separators so it cannot be mistaken for one, e.g. a phone number as "
                "070-123 45 67 or a case number as KS 2025/123."
            ),
            code="personnummer",
            params={"why": _WHY},
        )


def validate_text(value):
    """Free text of several lines (a description, a summary, minutes)."""
    _check_characters(value, multiline=True)
    reject_personnummer(value)


def validate_line(value):
    """Free text of one line (a title, a name, a unit)."""
    _check_characters(value, multiline=False)
    reject_personnummer(value)
