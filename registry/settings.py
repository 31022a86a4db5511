"""Settings: read once from the environment into a Settings object that is passed to create_app()."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """The folder shipped inside the installed package, or the checkout's top-level folder."""
    packaged = _PACKAGE / "_shipped" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything the app and the CLI can be configured with; each field has an environment variable."""

    database_url: str = field(default="sqlite:///registry.db", metadata={"env": "REGISTRY_DATABASE_URL"})
    standards_dir: Path = field(default_factory=lambda: _shipped("standards"), metadata={"env": "REGISTRY_STANDARDS_DIR"})
    docs_dir: Path = field(default_factory=lambda: _shipped("docs"), metadata={"env": "REGISTRY_DOCS_DIR"})
    host: str = field(default="127.0.0.1", metadata={"env": "REGISTRY_HOST"})
    port: int = field(default=8000, metadata={"env": "REGISTRY_PORT"})
    workers: int = field(default=1, metadata={"env": "REGISTRY_WORKERS"})  # `registry serve`'s processes
    load_corpus_on_start: bool = field(default=True, metadata={"env": "REGISTRY_LOAD_CORPUS"})
    max_body_bytes: int = field(default=10_000_000, metadata={"env": "REGISTRY_MAX_BODY_BYTES"})
    max_json_depth: int = field(default=128, metadata={"env": "REGISTRY_MAX_JSON_DEPTH"})
    max_string_chars: int = field(default=1_000_000, metadata={"env": "REGISTRY_MAX_STRING_CHARS"})
    format_assertion: bool = field(default=True, metadata={"env": "REGISTRY_FORMAT_ASSERTION"})
    validation_engine: str = field(default="rust", metadata={"env": "REGISTRY_VALIDATION_ENGINE"})
    batch_max_line_bytes: int = field(default=1_000_000, metadata={"env": "REGISTRY_BATCH_MAX_LINE_BYTES"})
    sql_echo: bool = field(default=False, metadata={"env": "REGISTRY_SQL_ECHO"})
    secret: str = field(default="", metadata={"env": "REGISTRY_SECRET"}, repr=False)
    write_rate_per_minute: int = field(default=600, metadata={"env": "REGISTRY_WRITE_RATE_PER_MINUTE"})
    auth_failures_per_minute: int = field(default=30, metadata={"env": "REGISTRY_AUTH_FAILURES_PER_MINUTE"})
    trusted_proxies: str = field(default="", metadata={"env": "REGISTRY_TRUSTED_PROXIES"})
    allowed_hosts: str = field(default="127.0.0.1,localhost,[::1],testserver,testserver.local", metadata={"env": "REGISTRY_ALLOWED_HOSTS"})
    cors_origins: str = field(default="", metadata={"env": "REGISTRY_CORS_ORIGINS"})
    max_schema_expansion: int = field(default=2_000, metadata={"env": "REGISTRY_MAX_SCHEMA_EXPANSION"})
    inline_body_bytes: int = field(default=65_536, metadata={"env": "REGISTRY_INLINE_BODY_BYTES"})
    expensive_per_caller: int = field(default=4, metadata={"env": "REGISTRY_EXPENSIVE_PER_CALLER"})
    expensive_total: int = field(default=16, metadata={"env": "REGISTRY_EXPENSIVE_TOTAL"})
    worker_threads: int = field(default=8, metadata={"env": "REGISTRY_WORKER_THREADS"})
    parser_processes: int = field(default=2, metadata={"env": "REGISTRY_PARSER_PROCESSES"})
    cache_limits: str = field(default="", metadata={"env": "REGISTRY_CACHE_LIMITS"})
    log_format: str = field(default="text", metadata={"env": "REGISTRY_LOG_FORMAT"})
    access_log: bool = field(default=True, metadata={"env": "REGISTRY_ACCESS_LOG"})
    metrics: bool = field(default=True, metadata={"env": "REGISTRY_METRICS"})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> "Settings":
        """Settings from environment variables (unset ones keep their defaults), then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            name = f.metadata["env"]
            if name in env and env[name] != "":
                raw = env[name]
                if f.type in ("bool", bool):
                    values[f.name] = _bool(raw)
                elif f.type in ("int", int):
                    values[f.name] = int(raw)
                elif f.type in ("Path", Path):
                    values[f.name] = Path(raw)
                else:
                    values[f.name] = raw
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def host_names(self) -> tuple[str, ...]:
        """The allowed hosts, with the address the registry serves on when that is a name or an address."""
        names = [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]
        if self.host not in ("0.0.0.0", "::", ""):
            names.append(f"[{self.host}]" if ":" in self.host else self.host.lower())
        return tuple(dict.fromkeys(names))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def environment_variables() -> dict[str, str]:
    """Each setting's environment variable and its default, for the docs."""
    out = {}
    for f in fields(Settings):
        default = f.default_factory() if callable(f.default_factory) else f.default  # type: ignore[misc]
        out[f.metadata["env"]] = str(default)
    return out
