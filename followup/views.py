from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import NotificationSettingsForm
from .models import NotificationKind, NotificationOptOut


def _kinds_for(user):
    """The reminders that can reach this person: review reminders go to
    reviewers only."""
    kinds = list(NotificationKind.values)
    if not user.has_perm("measures.add_review"):
        kinds.remove(NotificationKind.REVIEW_WAITING)
    return kinds


@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request):
    user = request.user
    kinds = _kinds_for(user)
    kinds_off = NotificationOptOut.objects.kinds_off(user)
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(data, kinds=kinds, kinds_off=kinds_off)
    if form.is_valid():
        # Kinds not offered on the form (a reviewer's, for someone who lost
        # the role) keep the choice made before.
        hidden = kinds_off - set(kinds)
        NotificationOptOut.objects.set_kinds_off(user, form.kinds_off() | hidden)
        messages.success(request, _("Your choice of reminders is saved."))
        return redirect("notifications")
    return render(request, "followup/notification_settings.html", {"form": form})
