"""Known header spellings from music-service management exports, mapped onto the canonical column names.

Kept in one place so that a new export's spelling is one line here. Matching already ignores case,
spaces and punctuation, so only genuinely different words need listing.
"""

from __future__ import annotations

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "pupil_ref": ("student id", "student number", "pupil id", "student ref", "elevnr", "pupil number"),
    "upn": ("unique pupil number",),
    "urn": ("school urn", "dfe urn", "establishment urn", "school id urn"),
    "nc_year": ("year group", "ncyear", "national curriculum year", "school year"),
    "gender": ("sex",),
    "fsm": ("fsm flag", "free school meals", "fsm eligible"),
    "pupil_premium": ("pp", "pp flag", "pupil premium eligible"),
    "sen_status": ("sen", "send status", "sen code"),
    "looked_after": ("lac", "looked after child", "cla"),
    "ethnicity_group": ("ethnicity", "ethnic group"),
    "programme_id": ("activity id", "wcet id", "programme"),
    "instrument": ("subject", "instrument taught"),
    "lesson_type": ("lesson kind", "tuition type", "group type"),
    "start_date": ("start", "date started", "enrolment start"),
    "end_date": ("end", "date ended", "enrolment end", "date left"),
    "remission_pct": ("remission", "remission percent", "subsidy pct"),
    "standard": ("level", "grade band"),
    "ensemble_id": ("group id", "ensemble ref"),
    "engagement_id": ("contact id", "log id"),
    "mdp_url": (
        "mdp summary url",
        "mdp summary link",
        "mdp link",
        "mdp web address",
        "music development plan url",
    ),
    "quality_marks": ("quality mark",),
    "duration_minutes": ("duration", "minutes"),
    "amount_gbp": ("amount", "value gbp"),
    "staff_ref": ("staff id", "teacher id", "tutor id"),
}
