"""Prometheus metrics at /metrics, with litestar's PrometheusConfig (its middleware): request counts and
latency by route (the route's template, not the raw path: one series per route, however many ids are asked for),
compliance checks, and the caches' hits and misses.

Several worker processes: set PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied at each start) and the request and
check counters are summed over the workers (prometheus_client's multiprocess mode). The cache figures are then
those of the process that answers the scrape, labelled with its pid (docs/observability.md)."""

from __future__ import annotations

import os
from typing import Iterator

from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig
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


def prometheus_config() -> PrometheusConfig:
    _register_caches()
    return PrometheusConfig(app_name="registry", prefix="registry", group_path=True, exclude=[PATH])


def counted_checks(route: str, profiles: int = 1) -> None:
    CHECKS.labels(route).inc(profiles)


__all__ = ["counted_checks", "metrics", "prometheus_config"]
