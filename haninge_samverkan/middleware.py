"""Refuses a request body larger than any form of the app posts, before
anything reads it.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE covers form fields only: a file part of a
multipart body, or a body of another content type, would still be accepted
(a file is even written to a temporary file). No form here posts files, so
every body above that size is refused with the 400 page.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            raise RequestDataTooBig("The request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
        return self.get_response(request)
