"""Proxy headers through a real `registry serve` (uvicorn): X-Forwarded-For is read only from REGISTRY_TRUSTED_PROXIES.
Without the setting a client cannot escape the failed-authentication limit by rotating the header, nor lock out an
address it names; with it, the addresses the proxy forwards get buckets of their own. Clients bind 127.0.0.1 and
127.0.0.2 (two peers on the loopback range) to stand for two machines."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from registry.api.limits import server_options
from registry.settings import Settings
from tests.hardening.test_protections import BAD, _free_port

URL = "/api/v1/jurisdictions"


class Served:
    def __init__(self, folder: Path, **env: str):
        self.port = _free_port()
        environment = {"REGISTRY_DATABASE_URL": f"sqlite:///{folder / 'r.db'}", "REGISTRY_LOAD_CORPUS": "false",
                       "REGISTRY_AUTH_FAILURES_PER_MINUTE": "3", "PATH": "/usr/bin:/bin", **env}
        self.process = subprocess.Popen([sys.executable, "-m", "registry.cli", "serve", "--port", str(self.port),
                                         "--no-corpus"], env=environment, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise RuntimeError("registry serve did not start")
                time.sleep(0.1)

    def get(self, peer: str, **headers: str) -> int:
        transport = httpx.HTTPTransport(local_address=peer)
        with httpx.Client(transport=transport, timeout=10) as client:
            return client.get(f"http://127.0.0.1:{self.port}{URL}", headers={**BAD, **headers}).status_code

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start(**env: str) -> Served:
        started.append(Served(tmp_path, **env))
        return started[-1]

    yield start
    for served in started:
        served.stop()


def test_without_trusted_proxies_forwarded_for_is_ignored(serve):
    server = serve()
    rotating = [server.get("127.0.0.1", **{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(5)]
    assert rotating == [401, 401, 401, 429, 429]  # one bucket: the real peer's
    victim = "127.0.0.2"
    assert [server.get("127.0.0.1", **{"X-Forwarded-For": victim}) for _ in range(3)] == [429] * 3
    assert server.get(victim) == 401  # the named address was not locked out


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(serve):
    server = serve(REGISTRY_TRUSTED_PROXIES="127.0.0.1")
    assert [server.get("127.0.0.1", **{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(5)] == [401] * 5
    assert [server.get("127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"}) for _ in range(4)] == [401] * 3 + [429]
    # 127.0.0.2 is not a proxy: what it forwards is ignored, its own address is the key
    assert [server.get("127.0.0.2", **{"X-Forwarded-For": f"198.51.100.{i}"}) for i in range(4)] == \
        [401] * 3 + [429]


@pytest.mark.parametrize("trusted, options", [
    ("", {"proxy_headers": False, "forwarded_allow_ips": "", "access_log": False}),
    ("10.0.0.0/8, 127.0.0.1", {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.0/8,127.0.0.1/32",
                                "access_log": False}),  # the registry writes the access line, with the request id
])
def test_uvicorn_is_told_the_same_proxies(trusted, options):
    assert server_options(Settings.from_env({}, trusted_proxies=trusted)) == options
