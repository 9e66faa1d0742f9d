"""Form data as a browser would post it, shared by the test modules."""

from measures.models import Measure

# The query parameters of /measures/ and its exports.
LIST_PARAMS = [
    "q",
    "focus_area",
    "status",
    "assessment",
    "responsible_party",
    "owner",
    "areas",
    "flag",
    "start_date_from",
    "start_date_to",
    "end_date_from",
    "end_date_to",
    "archived",
    "o",
    "page",
]


def new_data(focus_area, **changes):
    """A complete, valid new-measure form; `focus_area` may be "" to leave it open."""
    data = {
        "focus_area": getattr(focus_area, "pk", focus_area),
        "title": "Trygghetsvandring i Handen",
        "cause": "Otrygghet vid pendeltågsstationen kvällstid.",
        "description": "Kommunen och polisen går runt med boende och noterar brister.",
        "kind": Measure.Kind.SITUATIONAL,
        "operational_goal": "En åtgärdslista till tekniska nämnden före sommaren.",
        "start_date": "2025-04-01",
        "end_date": "2025-10-31",
        "responsible_party": Measure.Party.GEMENSAM,
        "responsible_unit": "Samhällsbyggnadsförvaltningen",
        "owner": "",
    }
    data.update(changes)
    return data


def edit_data(measure, **changes):
    """The edit form of `measure` as the browser sends it back unchanged."""
    data = {
        "focus_area": measure.focus_area_id,
        "title": measure.title,
        "cause": measure.cause,
        "description": measure.description,
        "kind": measure.kind,
        "operational_goal": measure.operational_goal,
        "start_date": measure.start_date.isoformat(),
        "end_date": measure.end_date.isoformat(),
        "responsible_party": measure.responsible_party,
        "responsible_unit": measure.responsible_unit,
        "owner": measure.owner_id or "",
        "areas": [area.pk for area in measure.areas.all()],
        "version": measure.version,
    }
    if measure.is_one_off:
        data["is_one_off"] = "on"
    data.update(changes)
    return data
