"""The Haninge agreement's reporting periods: tertials, each reported by 14
days after it ends. The first starts when the agreement does, the last ends
with it."""

import datetime

from django.db import migrations

DEADLINE_AFTER = datetime.timedelta(days=14)
# (tertial, first month, last month, last day)
TERTIALS = [(1, 1, 4, 30), (2, 5, 8, 31), (3, 9, 12, 31)]


def tertials(valid_from, valid_until):
    for year in range(valid_from.year, valid_until.year + 1):
        for number, first_month, last_month, last_day in TERTIALS:
            starts = max(datetime.date(year, first_month, 1), valid_from)
            ends = min(datetime.date(year, last_month, last_day), valid_until)
            if starts <= ends:
                yield f"T{number} {year}", starts, ends


def create(apps, schema_editor):
    Agreement = apps.get_model("agreement", "Agreement")
    ReportingPeriod = apps.get_model("agreement", "ReportingPeriod")
    agreement = Agreement.objects.filter(slug="haninge-2025").first()
    if agreement is None:
        return
    for name, starts, ends in tertials(agreement.valid_from, agreement.valid_until):
        ReportingPeriod.objects.get_or_create(
            agreement=agreement,
            name=name,
            defaults={"starts_on": starts, "ends_on": ends, "deadline": ends + DEADLINE_AFTER},
        )


def remove(apps, schema_editor):
    apps.get_model("agreement", "ReportingPeriod").objects.filter(
        agreement__slug="haninge-2025"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("agreement", "0004_reporting_periods")]

    operations = [migrations.RunPython(create, remove)]
