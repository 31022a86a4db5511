"""`registry meetings …`, `registry actions`, `registry demo`; CSV import all or nothing (acceptance 5), CSV
cells neutralised, and the JSON export read back."""

from __future__ import annotations

import csv
import io
import json

from registry.reports.formats import cell as csv_cell, cell_value as csv_value
from tests.conftest import MINI
from tests.test_cli import run  # noqa: F401  (fixture)

HEADER = "title,type,start,end,timezone,place,host,jurisdictions,topics,documents\n"
GOOD = "EU–CN dialogue,bilateral,2025-05-05T10:00,2025-05-05T12:00,Europe/Brussels,Brussels,DG TRADE,EU;CN,consumer-protection,EU/consumer-protection\n"


def count_meetings(run) -> str:
    return run("meetings", "list").output.strip().splitlines()[-1]


def test_a_csv_with_one_bad_row_changes_nothing_and_names_the_row(run, tmp_path):
    run("load", str(MINI))
    bad = tmp_path / "meetings.csv"
    bad.write_text(HEADER + GOOD
                   + "Second,bilateral,2025-03-30T02:30,2025-03-30T04:00,Europe/Berlin,Berlin,,DE,,\n"
                   + "Third,training,2025-07-01T10:00,2025-07-01T11:00,Asia/Shanghai,Beijing,,CN,payments,\n",
                   encoding="utf-8")
    result = run("meetings", "import", str(bad), ok=False)
    assert result.exit_code == 1
    assert "line 3" in result.output and "does not exist in Europe/Berlin" in result.output and "/start" in result.output
    assert "1 row(s) refused; nothing was written" in result.output
    assert count_meetings(run) == "0 of 0 meetings."

    bad.write_text(HEADER + GOOD + "Fourth,bilateral,2025-05-05T10:00,2025-05-05T12:00,Europe/Berlin,,,XX,,\n")
    refused = run("meetings", "import", str(bad), ok=False)
    assert "line 3" in refused.output and "unknown jurisdiction 'XX'" in refused.output
    assert count_meetings(run) == "0 of 0 meetings."

    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD)
    dry = run("meetings", "import", str(good), "--dry-run")
    assert "dry run: nothing written" in dry.output and count_meetings(run) == "0 of 0 meetings."
    assert "1 created, 0 already there." in run("meetings", "import", str(good)).output
    assert "0 created, 1 already there." in run("meetings", "import", str(good)).output
    assert count_meetings(run) == "1 of 1 meetings."


def test_csv_cells_are_neutralised_and_read_back(run, tmp_path):
    for value in ("=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(value) == "'" + value and csv_value(csv_cell(value)) == value
    assert csv_cell("plain") == "plain" and csv_cell(None) == "" and csv_value("'quoted") == "'quoted"

    run("load", str(MINI))
    source = tmp_path / "in.csv"
    source.write_text(HEADER + '"=cmd|\' /C calc\'!A0",bilateral,2025-05-05T10:00,2025-05-05T12:00,UTC,'
                      '"@here",-host,EU,,\n')
    run("meetings", "import", str(source))
    exported = run("meetings", "export", "--format", "csv").stdout
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["title"] == "'=cmd|' /C calc'!A0" and row["place"] == "'@here" and row["host"] == "'-host"
    again = tmp_path / "again.csv"
    again.write_text(exported)
    assert "0 created, 1 already there." in run("meetings", "import", str(again)).output


def test_add_show_json_round_trip_and_overdue_actions(run, tmp_path, database_url):
    run("load", str(MINI))
    added = run("meetings", "add", "--title", "Customs talks", "--start", "2025-02-01T09:00", "--end",
                "2025-02-01T11:00", "--timezone", "Asia/Almaty", "--jurisdiction", "CN", "--topic", "customs-and-tax")
    assert "Meeting 1 logged" in added.output
    refused = run("meetings", "add", "--title", "x", "--start", "2025-02-01T09:00", "--end", "2025-02-01T08:00",
                  "--timezone", "UTC", ok=False)
    assert refused.exit_code == 1 and "before it starts" in refused.output and "/end" in refused.output
    shown = run("meetings", "show", "1").output
    assert "Customs talks" in shown and "2025-02-01 09:00 – 2025-02-01 11:00 (Asia/Almaty)" in shown

    export = tmp_path / "meetings.json"
    run("meetings", "export", "--format", "json", "--output", str(export))
    data = json.loads(export.read_text())
    assert data["format"] == "registry-meetings/1" and data["meetings"][0]["meeting"]["title"] == "Customs talks"
    record = data["meetings"][0]
    record["meeting"]["title"] = "Customs talks, round 2"
    record["status"] = "held"
    record["minutes"] = {"status": "published", "markdown": "Agreed on **de minimis**."}
    record["actions"] = [{"title": "Share thresholds", "owner_organisation": "GACC", "due_date": "2025-03-01",
                          "status": "open"}]
    export.write_text(json.dumps(data))
    assert "1 created" in run("meetings", "import", str(export)).output
    found = run("meetings", "list", "--q", "minimis").output  # a word of the published minutes
    assert "Customs talks, round 2" in found and "1 of 1 meetings." in found
    overdue = run("actions", "--overdue").output
    assert "Share thresholds" in overdue and "1 of 1 action items overdue." in overdue

    data["meetings"][0]["colour"] = "blue"
    export.write_text(json.dumps(data))
    refused = run("meetings", "import", str(export), ok=False)
    assert "meetings[0]" in refused.output and "colour" in refused.output
    ics = run("meetings", "export", "--format", "ics", "--from", "2025-01-01", "--to", "2025-12-31").output
    assert "UID:meeting-1@registry" in ics and "UID:meeting-2@registry" in ics and "TZID=Asia/Almaty" in ics


def test_demo_loads_labelled_samples_refuses_twice_and_removes_them(run):
    from registry.cli import main  # noqa: F401

    run("load", str(MINI))
    loaded = run("demo")
    assert "Loaded 120 sample meetings" in loaded.output
    again = run("demo", ok=False)
    assert again.exit_code == 1 and "120 sample meetings are already loaded" in again.output
    listing = run("meetings", "list", "--limit", "500").output
    assert "120 of 120 meetings." in listing and listing.count("[Sample]") == 120 and "sample" in listing
    years = {line.split()[1][:4] for line in listing.splitlines() if "[Sample]" in line and len(line.split()) > 2}
    assert len(years) >= 4
    assert "of" in run("actions", "--overdue").output
    assert "Removed 120 sample meetings." in run("demo", "--remove").output
    assert "0 of 0 meetings." in run("meetings", "list").output
