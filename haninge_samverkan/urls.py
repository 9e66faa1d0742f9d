from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from followup import notification_settings

from . import views

admin.site.site_header = _("Samverkan Haninge")
admin.site.site_title = _("Samverkan Haninge – administration")
admin.site.index_title = _("Administration")
# Breadcrumbs and the index lead between the lists; without the side menu a
# list has the whole width of a laptop's screen for its columns.
admin.site.enable_nav_sidebar = False

# Django's form views would treat PUT as POST; the app answers 405 instead.
FORM = ["get", "head", "post"]
PAGE = ["get", "head"]

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, http_method_names=FORM),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(http_method_names=FORM),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(http_method_names=PAGE),
        name="password_change_done",
    ),
    path(
        "accounts/password_reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(http_method_names=PAGE),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(http_method_names=PAGE),
        name="password_reset_complete",
    ),
    path(
        "accounts/notifications/",
        notification_settings.notification_settings,
        name="notifications",
    ),
    path("admin/", admin.site.urls),
    path("", include("followup.urls")),
    path("", include("measures.urls")),
]

handler500 = "haninge_samverkan.views.server_error"
