"""Strict JSON: valid UTF-8, no duplicate keys, no NaN or Infinity, every number finite and of bounded size,
bounded depth. Errors name where."""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from registry.errors import InvalidInput, PayloadTooLarge


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise InvalidInput(f"{name} is not a JSON number", code="invalid_json")


# Python refuses to read an integer of more digits than this (int() raises ValueError: 4,300 unless
# PYTHONINTMAXSTRDIGITS says otherwise; 0 would lift the limit): the registry answers that with a 400
MAX_INTEGER_DIGITS = sys.get_int_max_str_digits()


class _NumberOutOfRange(ValueError):
    pass


def _finite(text: str) -> float:
    # 1e400 reads as inf, which JSON cannot write back, nor JSON Schema compare: refused like NaN and Infinity
    value = float(text)
    if not math.isfinite(value):
        raise _NumberOutOfRange(text)
    return value


def depth_of(value: Any, limit: int) -> int:
    """Nesting depth of a JSON value, stopping early once it passes the limit."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def check_strings(value: Any, limit: int) -> None:
    """Every string and key at most `limit` characters, and none with a NUL character (which PostgreSQL cannot
    store: refused here on every database alike)."""
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        texts = [(node, path)] if isinstance(node, str) else []
        if isinstance(node, dict):
            texts = [(key, (*path, key[:40])) for key in node]
            stack.extend((item, (*path, key)) for key, item in node.items())
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))
        for text, where in texts:
            if len(text) > limit:
                pointer = pointer_join(*where)
                raise PayloadTooLarge(f"{pointer or '/'}: a string longer than {limit:,} characters",
                                      code="string_too_long", pointer=pointer)
            if "\x00" in text:
                pointer = pointer_join(*where)
                raise InvalidInput(f"{pointer or '/'}: a string holds a NUL character (\\u0000)",
                                   code="nul_character", pointer=pointer)


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_no_constant, parse_float=_finite)
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def parse_json(raw: bytes | str, *, max_depth: int = 128, max_string_chars: int | None = None) -> Any:
    """Parse a JSON text strictly; every failure is an InvalidInput with a stable code."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"the body is not valid UTF-8 (byte {exc.start})", code="invalid_utf8") from None
    else:
        text = raw
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\\u0000" in text and _NUL.search(text):
        # PostgreSQL cannot store NUL in text, and no rule or meeting needs one: refuse it everywhere alike
        raise InvalidInput("the JSON contains a NUL character (\\u0000)", code="nul_character")
    try:
        value = _DECODER.decode(text)
    except _DuplicateKey as exc:
        raise InvalidInput(f"duplicate key {exc.key!r}", code="duplicate_key") from None
    except RecursionError:
        raise InvalidInput(f"JSON nested deeper than {max_depth} levels", code="too_deep") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                           code="invalid_json") from None
    except ValueError as exc:  # _NumberOutOfRange, or int() refusing an integer of too many digits
        raise _out_of_range(exc) from None
    if _SURROGATE.search(text):
        try:  # a pair of escapes is one character; a lone half cannot be written as UTF-8 (nor stored, nor validated)
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("the JSON holds a lone UTF-16 surrogate escape (\\ud800-\\udfff)",
                               code="invalid_unicode") from None
    # each nesting level opens a bracket, and each character of a string takes at least one character of the
    # text: a short text needs neither walk (most bodies: the walks were most of the parsing time)
    if text.count("[") + text.count("{") > max_depth and depth_of(value, max_depth) > max_depth:
        raise InvalidInput(f"JSON nested deeper than {max_depth} levels", code="too_deep")
    if max_string_chars is not None and len(text) > max_string_chars:
        check_strings(value, max_string_chars)
    return value


def _out_of_range(exc: ValueError) -> InvalidInput:
    if isinstance(exc, _NumberOutOfRange):
        what = f"the number {exc.args[0][:40]}{'…' if len(exc.args[0]) > 40 else ''} is beyond a double's range"
    else:
        what = f"an integer has more than {MAX_INTEGER_DIGITS:,} digits"
    return InvalidInput(f"{what}: JSON numbers here are finite and at most {MAX_INTEGER_DIGITS:,} digits long",
                        code="number_out_of_range")


def pointer_join(*parts: object) -> str:
    """A JSON pointer from path segments (RFC 6901 escaping)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
