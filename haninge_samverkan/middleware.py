"""Refuses a request body larger than any form of the app posts, before
anything reads it.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE covers form fields only: a file part of a
multipart body, or a body of another content type, would still be accepted
(a file is even written to a temporary file). So every body above that size
is refused with the 400 page, unless the view it goes to declares a larger
limit of its own as a `request_body_limit` attribute (a file upload does).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.urls import Resolver404, resolve


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit and length > self._view_limit(request):
            raise RequestDataTooBig("The request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
        return self.get_response(request)

    @staticmethod
    def _view_limit(request):
        # Only resolved for the rare large body; an ordinary request pays nothing.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return 0
        return getattr(match.func, "request_body_limit", 0)
