from .models import Agreement


def current_agreement(request):
    """The current agreement, looked up once per request."""
    if not hasattr(request, "_current_agreement"):
        request._current_agreement = Agreement.objects.current()
    return request._current_agreement
