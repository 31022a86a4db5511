"""`registry serve --workers N`: N uvicorn worker processes on one address. Each builds its app with the documented
factory, `registry.app:create_app`, from the same settings, handed over in the environment (the factory reads
REGISTRY_* variables). What must happen once — migrations, the corpus load — `serve` has done before the workers
start, and each worker's own start-up finds it done: a PostgreSQL advisory lock (SQLite: its write lock) makes
processes that start at the same moment take turns (registry/services/startup.py)."""

from __future__ import annotations

import dataclasses
import os
import secrets

from registry.settings import Settings

FACTORY = "registry.app:create_app"
SECRET_WARNING = ("REGISTRY_SECRET is not set: the {workers} workers share a random one made for this run, so forms "
                  "opened in browsers fail after a restart, and servers started apart (other hosts, containers) "
                  "refuse each other's forms. Set REGISTRY_SECRET (docs/deployment.md).")


def environment(settings: Settings) -> dict[str, str]:
    """Every setting as the environment variable that gives it back (Settings.from_env reads them)."""
    out = {}
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        out[field.metadata["env"]] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def with_shared_secret(settings: Settings) -> tuple[Settings, str | None]:
    """Settings whose CSRF secret every worker shares (a random one for this run when REGISTRY_SECRET is unset:
    without one each process would make its own and refuse the forms of the others), and the warning to show."""
    if settings.workers <= 1 or settings.secret:
        return settings, None
    return (dataclasses.replace(settings, secret=secrets.token_urlsafe(32)),
            SECRET_WARNING.format(workers=settings.workers))


def serve(settings: Settings, options: dict[str, object]) -> None:
    """Run `settings.workers` worker processes (uvicorn's supervisor restarts one that dies)."""
    import uvicorn

    os.environ.update(environment(settings))  # what the workers' factory reads
    uvicorn.run(FACTORY, factory=True, workers=settings.workers, host=settings.host, port=settings.port,
                log_level="info", **options)


__all__ = ["FACTORY", "environment", "serve", "with_shared_secret"]
