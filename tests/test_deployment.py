"""The deployment recipe stays true without building it (no base image can be pulled here): the Dockerfile and
compose.yaml parse, name only files that exist and settings the registry has, the build context holds what the
Dockerfile copies, and docs/deployment.md says how to run them."""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path

import yaml

from registry.settings import environment_variables

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
                "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}


def dockerfile(path: Path) -> list[tuple[str, str]]:
    """(instruction, arguments) of each instruction: comments dropped, continued lines joined."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in path.read_text().splitlines()
                                             if not line.lstrip().startswith("#")))
    out = []
    for line in filter(str.strip, joined.splitlines()):
        word, _, rest = line.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def excluded(name: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves a top-level name out of the build context (the last matching rule wins)."""
    out = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if fnmatch.fnmatch(name, pattern.lstrip("!")):
            out = not negated
    return out


def test_the_dockerfile_parses_and_copies_only_what_exists_into_a_non_root_image():
    steps = dockerfile(ROOT / "Dockerfile")
    assert steps[0][0] == "FROM" and all(word in INSTRUCTIONS for word, _ in steps), steps
    ignore = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    stages = {args.split()[-1] for word, args in steps if word == "FROM" and " AS " in args.upper()}
    copied = []
    for word, args in steps:
        if word == "COPY" and not args.startswith("--from="):
            *sources, _target = shlex.split(args)
            copied += sources
        elif word == "COPY":
            assert args.split()[0].removeprefix("--from=") in stages  # another stage of this file
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"
        assert not excluded(source.split("/")[0], ignore), f".dockerignore leaves {source} out of the context"
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    settings = environment_variables()
    for word, args in steps:
        if word == "ENV":
            names = re.findall(r"(\w+)=", args)
            assert [n for n in names if n.startswith("REGISTRY_") and n not in settings] == []
    command = shlex.split(next(args for word, args in reversed(steps) if word == "CMD").strip("[]").replace(",", " "))
    assert command[:2] == ["registry", "serve"]
    health = next(args for word, args in steps if word == "HEALTHCHECK")
    assert "/readyz" in health  # readiness: 503 while the database cannot be reached


def test_everything_the_wheel_ships_is_in_the_build_context():
    """pyproject.toml's readme and force-included folders are copied, or `pip wheel .` fails in the image."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    copied = {source for word, args in dockerfile(ROOT / "Dockerfile") if word == "COPY" and "--from" not in args
              for source in shlex.split(args)[:-1]}
    needed = {"pyproject.toml", project["project"]["readme"], *project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"],
              *project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]}
    assert needed <= copied, needed - copied


def test_the_compose_file_parses_and_names_what_exists():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "registry"}
    build = services["registry"]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).is_file()
    assert services["registry"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["db"]["image"].startswith("postgres:") and services["db"]["healthcheck"]["test"]
    settings = environment_variables()
    environment = services["registry"]["environment"]
    assert [name for name in environment if name not in settings] == []
    assert environment["REGISTRY_DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in environment["REGISTRY_DATABASE_URL"]
    for volume in services["db"].get("volumes", []):
        assert volume.split(":")[0] in compose["volumes"]  # named volumes only: no host path to exist or not


def test_the_deployment_page_says_how_to_run_them():
    text = (ROOT / "docs" / "deployment.md").read_text()
    for needed in ("docker compose up --build", "registry serve --workers", "registry.app:create_app --factory",
                   "REGISTRY_SECRET", "REGISTRY_TRUSTED_PROXIES", "pg_dump", "/healthz", "/readyz", "compose.yaml",
                   "Dockerfile"):
        assert needed in text, needed
