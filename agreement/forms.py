from django import forms
from django.db import models


class TypedText(forms.CharField):
    """Text as the person typed it, with line breaks stored as "\\n".

    Browsers send a textarea's line breaks as "\\r\\n"; without this a form
    saved unchanged would rewrite every text that has more than one line.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value


def text_formfield(model_field, **kwargs):
    """`Meta.formfield_callback` for model forms: plain text fields as TypedText.

    Only plain CharField and TextField: their subclasses (slugs, e-mail
    addresses) bring form fields of their own.
    """
    if type(model_field) in (models.CharField, models.TextField) and not model_field.choices:
        kwargs.setdefault("form_class", TypedText)
    return model_field.formfield(**kwargs)
