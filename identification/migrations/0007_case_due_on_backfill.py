"""The time limit of every open case, from its application date and home checks (Anhui's
2022 一码申报 rules, working days on the official calendar), as the step services keep it."""

from django.db import migrations

from organization.working_days import add_working_days

# The open states when this migration was written (``models.case.OPEN_STATES``).
OPEN_STATES = [
    "applied",
    "verified",
    "deliberated",
    "compared",
    "village_publicizing",
    "town_reviewing",
    "town_publicizing",
    "county_filing",
]


def backfill(apps, schema_editor):
    Case = apps.get_model("identification", "IdentificationCase")
    HomeCheck = apps.get_model("identification", "HomeCheck")
    PolicySettings = apps.get_model("organization", "PolicySettings")
    rows = {row.year: row for row in PolicySettings.objects.all()}

    def limits(year):
        # PolicySettings.for_year: the year's row, else the latest earlier one, else defaults.
        earlier = [y for y in rows if y <= year]
        row = rows[max(earlier)] if earlier else None
        return (row.home_check_working_days, row.identification_working_days) if row else (2, 20)

    checked = set(HomeCheck.objects.values_list("case_id", flat=True).distinct())
    cases = list(Case.objects.filter(state__in=OPEN_STATES).only("pk", "applied_on"))
    for case in cases:
        home, whole = limits(case.applied_on.year)
        case.due_on = add_working_days(case.applied_on, whole if case.pk in checked else home)
    Case.objects.bulk_update(cases, ["due_on"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("identification", "0006_case_due_on_and_clock"),
        ("organization", "0010_policy_working_day_limits"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
