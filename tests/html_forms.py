"""A form read from a rendered page and sent back as a browser sends it.

What a browser submits is what the page says: the value of each enabled
input, the checked boxes and radios, the selected options (or a single
select's first option when none is), and each textarea's text with its line
breaks as CR LF. Round-trip tests use it to prove that saving a form
unchanged changes nothing.
"""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["fields"].append((name, attrs.get("value", "on")))
                return
            if kind == "password":
                self._form["fields"].append((name, ""))
                return
            self._form["fields"].append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(
                {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
            )
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data
        elif self._select is not None and self._select["options"]:
            self._select["options"][-1]["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            for option in select["options"]:
                if option["value"] is None:
                    option["value"] = option["text"].strip()
            chosen = [o["value"] for o in select["options"] if o["selected"]]
            if not chosen and not select["multiple"] and select["options"]:
                chosen = [select["options"][0]["value"]]
            for value in chosen:
                self._form["fields"].append((select["name"], value))
        elif tag == "textarea" and self._textarea is not None:
            area, self._textarea = self._textarea, None
            text = area["text"]
            # HTML drops one line break right after <textarea>.
            if text.startswith("\n"):
                text = text[1:]
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
            self._form["fields"].append((area["name"], text))


def browser_post_data(html, *, form_index=None, method="post"):
    """The data a browser posts for the page's form (by default the only or
    the last POST form on the page, the one in the main content)."""
    parser = _FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if f["attrs"].get("method", "get").lower() == method]
    assert forms, "no form on the page"
    form = forms[form_index] if form_index is not None else _main_form(forms)
    data = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    return data


def _main_form(forms):
    # The header's logout form comes first and posts nothing of interest.
    return max(forms, key=lambda f: len(f["fields"]))
