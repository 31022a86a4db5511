"""The `registry` command, run as users run it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from registry.cli import main
from tests.conftest import MINI, STANDARDS


@pytest.fixture
def run(database_url, monkeypatch):
    monkeypatch.setenv("REGISTRY_DATABASE_URL", database_url)
    monkeypatch.setenv("REGISTRY_STANDARDS_DIR", str(MINI))
    monkeypatch.setenv("COLUMNS", "300")
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def test_load_dry_run_writes_nothing_then_load_then_export(run, tmp_path):
    dry = run("load", str(MINI), "--dry-run")
    assert "dry run: nothing written" in dry.output
    assert "consumer-protection" in dry.output
    export_empty = run("export", str(tmp_path / "empty"))
    assert "Wrote 1 files" in export_empty.output  # only jurisdictions.json, and it is empty

    loaded = run("load", str(MINI))
    assert "4 created" in loaded.output
    again = run("load", str(MINI))
    assert "0 created, 0 updated, 4 unchanged" in again.output

    run("export", str(tmp_path / "out"))
    written = json.loads((tmp_path / "out/documents/EU/consumer-protection.json").read_text())
    assert written["versions"][0]["content_hash"]


def test_load_reports_each_bad_file_and_fails(run, tmp_path):
    import shutil

    folder = tmp_path / "bad"
    shutil.copytree(MINI, folder)
    (folder / "documents/CN/consumer-protection.json").write_text('{"format": "registry-document/1", "name": 1}')
    result = run("load", str(folder), ok=False)
    assert result.exit_code == 1
    assert "documents/CN/consumer-protection.json" in result.output
    assert "nothing was written" in result.output


def test_validate(run, tmp_path):
    assert "valid" in run("validate", str(MINI / "documents/EU/consumer-protection.json")).output
    bad = tmp_path / "schema.json"
    bad.write_text('{"$ref": "http://169.254.169.254/latest"}')
    result = run("validate", str(bad), ok=False)
    assert result.exit_code == 1 and "outside this document" in result.output


def test_token_create_list_revoke(run):
    run("load", str(MINI))
    created = run("token", "create", "--role", "regulator", "--jurisdiction", "CN", "--name", "cn-desk",
                  "--expires", "30d")
    text = created.stdout.strip().splitlines()[-1]
    assert text.startswith("rcr_")
    token_id = text.split("_")[1]
    listing = run("token", "list").output
    assert "cn-desk" in listing and token_id in listing and text.split("_", 2)[2] not in listing
    assert "revoked" in run("token", "revoke", token_id).output
    refused = run("token", "create", "--role", "regulator", ok=False)
    assert refused.exit_code == 1 and "needs at least one jurisdiction" in refused.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not (STANDARDS / "jurisdictions.json").is_file(), reason="no shipped corpus yet")
def test_serve_loads_the_shipped_corpus_and_prints_the_url(tmp_path, database_url):
    """The README's first command, from another folder: serve on SQLite with the shipped corpus."""
    port = free_port()
    env = {**os.environ, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_PORT": str(port)}
    env.pop("REGISTRY_STANDARDS_DIR", None)
    process = subprocess.Popen([sys.executable, "-m", "registry.cli", "serve"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        latest = httpx.get(f"{base}/api/v1/documents/EU/consumer-protection/versions/latest")
        assert latest.status_code == 200
        assert len(latest.json()["content_hash"]) == 64 and latest.json()["schema"]
        early = httpx.get(f"{base}/api/v1/documents/EU/consumer-protection/versions/2010-01-01")
        assert early.status_code == 404 and early.json()["code"] == "unknown_version"
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{port}/" in output
    assert "Loaded the shipped corpus" in output
    assert not Path(tmp_path / "registry.db").exists() or database_url.endswith(str(tmp_path / "registry.db"))
