"""The statistics page and its downloads (CSV and SVG) for a date range: admins only; anyone
else gets the 404 of a wrong address. The figures, the small-count rule and the audit entry
are in ``campaign.cases.stats``; the files in ``campaign.cases.stats_files``."""

from __future__ import annotations

from flask import Response, abort, render_template, request

from campaign.cases import stats, stats_files
from campaign.cases.sessions import CurrentStaff
from campaign.core.db import db_session
from campaign.staff.blueprint import bp, current

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "svg": "image/svg+xml; charset=utf-8"}


def _admin_only() -> CurrentStaff:
    staff = current()
    if not staff.user.is_admin:
        abort(404)
    return staff


def _asked() -> tuple[str, str]:
    return request.args.get("from", "")[:40], request.args.get("to", "")[:40]


def _page(chosen: stats.DateRange | None, error: str = "") -> tuple[str, int]:
    asked_from, asked_to = _asked()
    if chosen is not None and not (asked_from or asked_to):
        asked_from, asked_to = chosen.asked_from.isoformat(), chosen.asked_to.isoformat()
    report = stats.report(db_session(), chosen) if chosen is not None else None
    html = render_template(
        "staff/admin/stats.html",
        report=report,
        error=error,
        asked_from=asked_from,
        asked_to=asked_to,
        today=stats.local_today(),
        files=stats_files,
        published=stats.published,
    )
    return html, 400 if error else 200


def _chosen() -> stats.DateRange:
    return stats.parse_range(*_asked(), today=stats.local_today())


@bp.get("/admin/stats")
def admin_stats() -> tuple[str, int]:
    _admin_only()
    try:
        chosen = _chosen()
    except stats.RangeError as exc:
        return _page(None, str(exc))
    return _page(chosen)


@bp.get("/admin/stats.<fmt>")
def admin_stats_download(fmt: str) -> Response | tuple[str, int]:
    staff = _admin_only()
    if fmt not in stats.FORMATS:
        abort(404)
    try:
        chosen = _chosen()
    except stats.RangeError as exc:
        return _page(None, str(exc))
    dbs = db_session()
    report = stats.report(dbs, chosen)
    if fmt == "csv":
        body = stats_files.csv_bytes(report)
    else:
        body = str(stats_files.chart_svg(report, standalone=True)).encode("utf-8")
    stats.record_download(dbs, staff.user, chosen, fmt)
    name = f"requests-per-week-{chosen.first.isoformat()}-{chosen.last.isoformat()}.{fmt}"
    response = Response(body, content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
