"""The import preview's totals and first rows (templates/admin/channels/import_preview.html)."""

from django import template
from import_export.results import Result, RowResult

register = template.Library()

# Rows shown in a preview; the totals count them all.
PREVIEW_ROWS = 500


@register.simple_tag
def import_totals(result: Result) -> dict:
    valid = result.valid_rows()
    return {
        "new": result.totals[RowResult.IMPORT_TYPE_NEW],
        "update": result.totals[RowResult.IMPORT_TYPE_UPDATE],
        "skip": result.totals[RowResult.IMPORT_TYPE_SKIP],
        "rows": len(valid),
        "shown": min(len(valid), PREVIEW_ROWS),
        "first_rows": valid[:PREVIEW_ROWS],
    }
