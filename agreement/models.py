from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import validate_line, validate_text


class AgreementQuerySet(models.QuerySet):
    def current(self, today=None):
        """The agreement whose period covers today, else the most recent one."""
        today = today or timezone.localdate()
        covering = self.filter(valid_from__lte=today, valid_until__gte=today)
        return (
            covering.order_by("-valid_from").first() or self.order_by("-valid_from", "-pk").first()
        )


class Agreement(models.Model):
    title = models.CharField(_("title"), max_length=200, validators=[validate_line])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    municipality = models.CharField(
        _("municipality"),
        max_length=200,
        validators=[validate_line],
        help_text=_("The municipality that is a party."),
    )
    police_area = models.CharField(
        _("police area"),
        max_length=200,
        validators=[validate_line],
        help_text=_("The local police area that is a party."),
    )
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), help_text=_("The last day the agreement is valid, inclusive.")
    )
    goal = models.TextField(_("shared goal"), blank=True, validators=[validate_text])

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lte=F("valid_until")),
                name="agreement_valid_from_before_until",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValidationError({"valid_until": _("The agreement cannot end before it starts.")})

    @property
    def period_label(self):
        return f"{self.valid_from.isoformat()} – {self.valid_until.isoformat()}"

    def covers(self, day):
        return self.valid_from <= day <= self.valid_until

    @property
    def total_days(self):
        return (self.valid_until - self.valid_from).days + 1

    def days_elapsed(self, today=None):
        """Days of the period gone, today included; 0 before it starts."""
        today = today or timezone.localdate()
        if today < self.valid_from:
            return 0
        return min((today - self.valid_from).days + 1, self.total_days)

    def days_left(self, today=None):
        return self.total_days - self.days_elapsed(today)

    def share_elapsed(self, today=None):
        """The share of the period gone, 0–100."""
        return round(100 * self.days_elapsed(today) / self.total_days)


class FocusArea(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="focus_areas",
        verbose_name=_("agreement"),
    )
    slug = models.SlugField(_("slug"), max_length=100)
    name = models.CharField(_("name"), max_length=200, validators=[validate_line])
    description = models.TextField(_("description"), blank=True, validators=[validate_text])
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists, lowest first.")
    )

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["agreement", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "slug"], name="focusarea_unique_slug_per_agreement"
            ),
        ]

    def __str__(self):
        return self.name


class Area(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_line])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_vulnerable = models.BooleanField(
        _("vulnerable area"),
        default=False,
        help_text=_("Designated by the police as a vulnerable area (utsatt område)."),
    )

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name
