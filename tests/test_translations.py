"""The Swedish translation ships complete and compiled."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES"


def _unquote(line):
    return ast.literal_eval(line)


def _parse_po(path):
    """(entry, fuzzy) for each entry of a .po file: its msgctxt, msgid,
    msgid_plural and msgstr by plural index."""
    entries = []
    current = None
    field = None
    fuzzy = False
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append((current, fuzzy))
            current, field, fuzzy = None, None, False
            continue
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if line.startswith("#"):
            continue
        if current is None:
            current = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}}
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt":
            field = ("msgctxt", None)
            current["msgctxt"] = _unquote(rest)
        elif keyword == "msgid":
            field = ("msgid", None)
            current["msgid"] = _unquote(rest)
        elif keyword == "msgid_plural":
            field = ("msgid_plural", None)
            current["msgid_plural"] = _unquote(rest)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            field = ("msgstr", index)
            current["msgstr"][index] = _unquote(rest)
        elif line.startswith('"'):
            name, index = field
            if name == "msgstr":
                current["msgstr"][index] += _unquote(line)
            else:
                current[name] += _unquote(line)
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _parse_po(LOCALE / "django.po")
    assert len(entries) > 100
    untranslated = [
        e["msgid"]
        for e, fuzzy in entries
        if e["msgid"] and (fuzzy or not all(e["msgstr"].values()))
    ]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    """The .mo must be compiled from the .po as committed: every translation in
    the .po is found, unchanged, in the .mo. (File times say nothing in a fresh
    clone, so the contents are compared.)"""
    with (LOCALE / "django.mo").open("rb") as fp:
        catalogue = gettext.GNUTranslations(fp)
    stale = []
    for entry, _fuzzy in _parse_po(LOCALE / "django.po"):
        if not entry["msgid"]:
            continue
        context = entry["msgctxt"]
        if entry["msgid_plural"]:
            singular, plural = entry["msgid"], entry["msgid_plural"]
            got = [
                catalogue.npgettext(context, singular, plural, n)
                if context
                else catalogue.ngettext(singular, plural, n)
                for n in (1, 2)
            ]
            want = [entry["msgstr"][0], entry["msgstr"][1]]
        elif context:
            got, want = catalogue.pgettext(context, entry["msgid"]), entry["msgstr"][0]
        else:
            got, want = catalogue.gettext(entry["msgid"]), entry["msgstr"][0]
        if got != want:
            stale.append(entry["msgid"])
    assert stale == []


def test_the_mo_file_is_not_older_than_the_po_file_in_this_checkout():
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    # A clone writes both at once; an edit to the .po without compiling shows here.
    assert mo.stat().st_mtime >= po.stat().st_mtime - 2
