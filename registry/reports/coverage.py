"""The coverage grid (registry/services/coverage.py: coverage_grid) as CSV: one row per jurisdiction and topic."""

from __future__ import annotations

from registry.reports.formats import csv_text

COVERAGE_COLUMNS = ("code", "name", "kind", "region", "cooperation_status", "cooperation_since", "topic", "status",
                    "rules", "newest_source")


def coverage_csv(data: dict) -> str:
    rows = ([j["code"], j["name"], j["kind"], j["region"], j["cooperation"]["status"], j["cooperation"]["since"],
             slug, cell["status"], cell["rules"], cell["newest_source"]]
            for j in data["jurisdictions"] for slug, cell in j["topics"].items())
    return csv_text(COVERAGE_COLUMNS, rows)
