"""Prometheus metrics at /metrics, with litestar's PrometheusConfig (its middleware): request counts and
latency by route (the route's template, not the raw path: one series per route, however many ids are asked for),
compliance checks, and the caches' hits and misses.

Several worker processes: set PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied at each start) and the request and
check counters are summed over the workers (prometheus_client's multiprocess mode). The cache figures are then
those of the process that answers the scrape, labelled with its pid (docs/observability.md)."""

from __future__ import annotations

import os
import time
from typing import Any, Iterator

from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from comparisons import bounded

PATH = "/metrics"

CHECKS = Counter("registry_compliance_checks_total", "Profiles checked, by route (check: one a request; batch: one "
                 "a line)", ["route"])


class Caches(Collector):
    """Each cache's hits, misses, entries and bytes, read at scrape time: nothing is counted twice on the hot path."""

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        labels = ["cache", "pid"]
        hits = CounterMetricFamily("registry_cache_hits", "Look-ups answered from a cache", labels=labels)
        misses = CounterMetricFamily("registry_cache_misses", "Look-ups a cache could not answer", labels=labels)
        entries = GaugeMetricFamily("registry_cache_entries", "Entries held", labels=labels)
        size = GaugeMetricFamily("registry_cache_bytes", "Measured bytes held (comparisons/bounded.py)", labels=labels)
        pid = str(os.getpid())
        for name, stats in sorted(bounded.totals().items()):
            hits.add_metric([name, pid], stats["hits"])
            misses.add_metric([name, pid], stats["misses"])
            entries.add_metric([name, pid], stats["entries"])
            size.add_metric([name, pid], stats["bytes"])
        yield from (hits, misses, entries, size)


_CACHES = Caches()




def _register_caches() -> None:
    if _CACHES not in REGISTRY._collector_to_names:  # once per process, however many apps are made
        REGISTRY.register(_CACHES)


@get(PATH, include_in_schema=False, sync_to_thread=False)
def metrics() -> Response[bytes]:
    """What litestar's PrometheusController answers, with the caches in the multiprocess registry too."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(_CACHES)
    # litestar adds the charset to a text/ type itself: named once
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST.replace("; charset=utf-8", ""))


class RouteSeries(PrometheusMiddleware):
    """litestar's PrometheusMiddleware (the same metrics, names and labels) with each route's series looked up once
    and no Request object per request: the stock one took about a tenth of a compliance check's time in process,
    mostly in `labels()` (docs/performance.md). A status raised past it (a refusal before the handler) is counted
    as that status, not as the 200 the stock one assumes."""

    def __init__(self, app: ASGIApp, config: PrometheusConfig) -> None:
        super().__init__(app, config)
        self._progress: dict[tuple[str, str], Any] = {}
        self._series: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def _labels(self, method: str, path: str, status: int) -> dict[str, str | int | float]:
        return {"method": method, "path": path, "status_code": status, "app_name": self._config.app_name}

    def _done(self, method: str, path: str, status: int) -> tuple[Any, Any, Any]:
        series = self._series.get((method, path, status))
        if series is None:
            labels = self._labels(method, path, status)
            values = [*labels.values()]
            error = self.requests_error_count(labels).labels(*values) if status >= 500 else None
            series = self._series[(method, path, status)] = (
                self.request_count(labels).labels(*values), self.request_time(labels).labels(*values), error)
        return series

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"] if scope["type"] == "http" else scope["type"]
        path = scope["path_template"]
        progress = self._progress.get((method, path))
        if progress is None:
            labels = self._labels(method, path, 200)
            progress = self._progress[(method, path)] = self.requests_in_progress(labels).labels(*labels.values())
        start, status, end = time.perf_counter(), 0, 0.0

        async def timed(message: Message) -> None:
            nonlocal status, end
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                end = time.perf_counter()
            await send(message)

        progress.inc()
        try:
            await self.app(scope, receive, timed)
        except Exception as exc:
            status = status or getattr(exc, "status_code", None) or getattr(exc, "status", 500)
            raise
        finally:
            progress.dec()
            count, duration, error = self._done(method, path, status or 500)
            count.inc()
            duration.observe((end or time.perf_counter()) - start)
            if error is not None:
                error.inc()


def prometheus_config() -> PrometheusConfig:
    _register_caches()
    return PrometheusConfig(app_name="registry", prefix="registry", group_path=True, exclude=[PATH],
                            middleware_class=RouteSeries)


_CHECKED = {route: CHECKS.labels(route) for route in ("check", "batch")}  # each series looked up once


def counted_checks(route: str, profiles: int = 1) -> None:
    _CHECKED[route].inc(profiles)


__all__ = ["counted_checks", "metrics", "prometheus_config"]
