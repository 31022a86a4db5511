"""Instance validation (Draft 2020-12) that never fetches anything, by every engine the registry can use.

A value counts as valid (or invalid) only when python-jsonschema (the reference) and jsonschema-rs (the
registry's fast engine, with its linear-time regex engine) agree; where they differ (formats, patterns,
numbers of magnitude 2^53 or more) validation is Undecidable and the answer that needed it is unknown.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

import jsonschema_rs
import referencing
import referencing.exceptions
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError  # noqa: F401  (re-exported for callers)

from .bounded import bounded


class Undecidable(Exception):
    """Validation could not run (remote reference, invalid pattern, recursion...) or the engines disagree."""


ENGINES_DISAGREE = "validation engines disagree"


def _refuse(uri: str) -> referencing.Resource:
    raise referencing.exceptions.NoSuchResource(ref=uri)


LOCAL_REGISTRY: referencing.Registry = referencing.Registry(retrieve=_refuse)  # type: ignore[call-arg]


def local_registry() -> referencing.Registry:
    """A registry holding no documents whose retrieve refuses every URI."""
    return LOCAL_REGISTRY


class AgreedValidator:
    """`is_valid` gives python-jsonschema's verdict when jsonschema-rs gives the same one, and raises
    Undecidable when they differ. `python` is the reference validator (its errors name the keyword)."""

    def __init__(self, text: str, format_assertion: bool) -> None:
        kwargs: dict[str, Any] = {"registry": LOCAL_REGISTRY}
        if format_assertion:
            kwargs["format_checker"] = Draft202012Validator.FORMAT_CHECKER
        self.python = Draft202012Validator(json.loads(text), **kwargs)
        self._text, self._format_assertion = text, format_assertion

    def verdicts(self, instance: Any) -> tuple[bool, Optional[bool]]:
        """(python-jsonschema's verdict, jsonschema-rs's or None when it does not take the schema)."""
        verdict = self.python.is_valid(instance)
        rust = _rust_validator(self._text, self._format_assertion)  # the registry's options, built once per text
        if rust is None:  # a schema it refuses (so does the registry, at submission): no reading to agree with
            return verdict, None
        try:
            return verdict, rust.is_valid(instance)
        except Exception as e:
            raise Undecidable(f"{ENGINES_DISAGREE}: jsonschema-rs failed ({type(e).__name__})") from None

    def is_valid(self, instance: Any) -> bool:
        verdict, other = self.verdicts(instance)
        if other is not None and other != verdict:
            raise Undecidable(f"{ENGINES_DISAGREE} on an instance (python-jsonschema: {verdict}, jsonschema-rs: {other})")
        return verdict


@bounded("engine-validators", 1024, 16_000_000, lambda key, validator: 2 * len(key[0]))  # the text, the schema
def _validator(text: str, format_assertion: bool) -> AgreedValidator:
    return AgreedValidator(text, format_assertion)


def validator_by_text(text: str, format_assertion: bool = False) -> AgreedValidator:
    """Validator for the schema whose json.dumps(..., sort_keys=True) text is `text`."""
    return _validator(text, format_assertion)


def validator_for(schema: Any, format_assertion: bool = False) -> AgreedValidator:
    # exact text (1.0 stays distinct from 1: jsonschema treats float multipleOf differently)
    return _validator(json.dumps(schema, sort_keys=True), format_assertion)


def is_valid(schema: Any, instance: Any, format_assertion: bool = False, text: Optional[str] = None) -> bool:
    """Validate `instance` against `schema`; raise Undecidable when validation cannot run.
    `text`: the schema's json.dumps(..., sort_keys=True), when the caller has it."""
    try:
        validator = _validator(text, format_assertion) if text is not None else validator_for(schema, format_assertion)
        return validator.is_valid(instance)
    except Undecidable:
        raise
    except (referencing.exceptions.Unresolvable, referencing.exceptions.NoSuchResource) as e:
        raise Undecidable(f"remote reference: {e}") from None
    except RecursionError:
        raise Undecidable("recursion") from None
    except re.error:
        raise Undecidable("pattern: Python re rejects a pattern") from None
    except Exception as e:  # invalid regex, overflow in a pattern, ...
        raise Undecidable(f"validation failed: {type(e).__name__}") from None


# ---------------------------------------------------------------- the registry's engine, for witnesses

def _refuse_remote(uri: str) -> Any:
    raise ValueError(f"remote reference {uri!r}: nothing is ever fetched")


@bounded("engine-rust-validators", 1024, 16_000_000, lambda key, validator: 2 * len(key[0]))  # as _validator
def _rust_validator(text: str, format_assertion: bool) -> Any:
    try:  # the options the registry's profile checks use: linear-time regex, formats asserted when on
        return jsonschema_rs.Draft202012Validator(json.loads(text), validate_formats=format_assertion,
                                                   retriever=_refuse_remote,
                                                   pattern_options=jsonschema_rs.RegexOptions())
    except Exception:  # a pattern its regex engine refuses: the registry refuses such documents too
        return None


def rust_is_valid(schema: Any, instance: Any, format_assertion: bool = False, text: Optional[str] = None) -> Optional[bool]:
    """Validate with jsonschema-rs as the registry configures it; None when it cannot build the schema.
    `text`: the schema's json.dumps(..., sort_keys=True), when the caller has it."""
    validator = _rust_validator(text or json.dumps(schema, sort_keys=True), format_assertion)
    if validator is None:
        return None
    try:
        return validator.is_valid(instance)
    except Exception:  # a value it cannot represent (an integer beyond its range)
        raise Undecidable("validation failed: jsonschema-rs cannot read the value") from None


def valid_in_both(schema: Any, instance: Any, format_assertion: bool = False) -> bool:
    """Valid under python-jsonschema (the reference) and jsonschema-rs (the registry's engine) alike;
    Undecidable when they disagree, so that no answer holds for one of them only."""
    text = json.dumps(schema, sort_keys=True)
    reference = is_valid(schema, instance, format_assertion, text)
    registry = rust_is_valid(schema, instance, format_assertion, text)
    if registry is not None and registry != reference:
        raise disagreement(reference)
    return reference


def disagreement(reference: bool) -> Undecidable:
    """python-jsonschema said `reference` (valid or not), jsonschema-rs the opposite."""
    return Undecidable(f"validators disagree: python-jsonschema says {'valid' if reference else 'invalid'}, "
                       f"jsonschema-rs says {'invalid' if reference else 'valid'}")
