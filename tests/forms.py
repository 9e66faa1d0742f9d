"""Form data as a browser would post it, shared by the test modules."""


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
