"""Instance validation with jsonschema (Draft 2020-12) that never fetches anything."""

from __future__ import annotations

import json
import re
from typing import Any

import referencing
import referencing.exceptions
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError  # noqa: F401  (re-exported for callers)

from .bounded import bounded


class Undecidable(Exception):
    """Validation could not run (remote reference, invalid pattern, recursion...)."""


def _refuse(uri: str) -> referencing.Resource:
    raise referencing.exceptions.NoSuchResource(ref=uri)


LOCAL_REGISTRY: referencing.Registry = referencing.Registry(retrieve=_refuse)  # type: ignore[call-arg]


def local_registry() -> referencing.Registry:
    """A registry holding no documents whose retrieve refuses every URI."""
    return LOCAL_REGISTRY


@bounded("engine-validators", 1024, 16_000_000, lambda key, validator: 2 * len(key[0]))  # the text, the schema
def _validator(text: str, format_assertion: bool) -> Draft202012Validator:
    schema = json.loads(text)
    kwargs: dict[str, Any] = {"registry": LOCAL_REGISTRY}
    if format_assertion:
        kwargs["format_checker"] = Draft202012Validator.FORMAT_CHECKER
    return Draft202012Validator(schema, **kwargs)


def validator_by_text(text: str, format_assertion: bool = False) -> Draft202012Validator:
    """Validator for the schema whose json.dumps(..., sort_keys=True) text is `text`."""
    return _validator(text, format_assertion)


def validator_for(schema: Any, format_assertion: bool = False) -> Draft202012Validator:
    # exact text (1.0 stays distinct from 1: jsonschema treats float multipleOf differently)
    return _validator(json.dumps(schema, sort_keys=True), format_assertion)


def is_valid(schema: Any, instance: Any, format_assertion: bool = False) -> bool:
    """Validate `instance` against `schema`; raise Undecidable when validation cannot run."""
    try:
        return validator_for(schema, format_assertion).is_valid(instance)
    except (referencing.exceptions.Unresolvable, referencing.exceptions.NoSuchResource) as e:
        raise Undecidable(f"remote reference: {e}") from None
    except RecursionError:
        raise Undecidable("recursion") from None
    except re.error:
        raise Undecidable("pattern: Python re rejects a pattern") from None
    except Exception as e:  # invalid regex, overflow in a pattern, ...
        raise Undecidable(f"validation failed: {type(e).__name__}") from None
