"""Pattern inclusion with greenery's parser and our budgeted automata (automata.py).

JSON Schema patterns are unanchored ECMA-262 searches, while the validators search with Python's
`re` (the witness checker), RE2 (the registry's python engine) or Rust's regex (jsonschema-rs). Each
pattern is translated once per semantics (SEMANTICS: \\d, \\w, \\s, `.` and `$` differ), and every
proof is made under all of them. Anything
outside a conservative syntax subset (look-around, back-references, flags, \\b, \\p{...},
anchors in the middle) is rejected and the caller answers unknown.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Optional

from greenery import NULL, Fsm, parse

from . import automata
from .automata import Meter, TooLarge, metered
from .bounded import bounded
from .budget import BudgetExceeded

MAX_CODE = 0x10FFFF
MAX_REPEAT = 12  # largest {n,m} bound translated (automata grow fast beyond)
MAX_WEIGHT = 24  # sum of the bounds in one pattern
MAX_PATTERN_LENGTH = 400


class Unsupported(Exception):
    pass


Ranges = list[tuple[int, int]]


def _norm(ranges: Ranges) -> Ranges:
    out: Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _neg(ranges: Ranges) -> Ranges:
    out: Ranges = []
    prev = 0
    for lo, hi in _norm(ranges):
        if lo > prev:
            out.append((prev, lo - 1))
        prev = hi + 1
    if prev <= MAX_CODE:
        out.append((prev, MAX_CODE))
    return out


DIGIT: Ranges = [(0x30, 0x39)]
WORD: Ranges = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
ECMA_SPACE: Ranges = [(0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
                      (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
                      (0xFEFF, 0xFEFF)]


@lru_cache(maxsize=1)
def _python_classes() -> dict[str, Ranges]:
    """Python's str-pattern \\d, \\w, \\s, computed from the re module itself."""
    out: dict[str, Ranges] = {}
    for key in "dws":
        rx = re.compile("\\" + key)
        ranges: Ranges = []
        for c in range(MAX_CODE + 1):
            if 0xD800 <= c <= 0xDFFF:
                continue
            if rx.match(chr(c)):
                if ranges and ranges[-1][1] == c - 1:
                    ranges[-1] = (ranges[-1][0], c)
                else:
                    ranges.append((c, c))
        out[key] = ranges
    return out


# the semantics every proof holds under: ECMA-262 (the standard), then the validators' engines
SEMANTICS = ("ECMA-262", "python", "re2", "rust")
VALIDATOR_DIALECTS = SEMANTICS[1:]
# RE2's \\s is ASCII (no \\v); Rust's is Unicode White_Space (no \\x1c-\\x1f, unlike Python's)
RE2_SPACE: Ranges = [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)]
RUST_SPACE: Ranges = [(0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680),
                      (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000)]


def _class_escape(key: str, over: bool, dialect: str = "python") -> tuple[Ranges, Ranges]:
    """(ECMA, `dialect`) code point ranges of a class escape.

    Python's and Rust's \\w and \\d have hundreds of ranges, too slow for greenery: they are
    approximated from above (`over`: the ASCII part plus all non-ASCII) or from below (the ASCII
    part); RE2's are ASCII.
    """
    base = key.lower()
    ecma = {"d": DIGIT, "w": WORD, "s": ECMA_SPACE}[base]
    if dialect == "re2":
        neg_key = key.isupper()
        py = {"d": DIGIT, "w": WORD, "s": RE2_SPACE}[base]
    elif base == "s" and dialect == "rust":
        neg_key = key.isupper()
        py = RUST_SPACE
    elif base in "wd":
        # Python's \\w and \\d include non-ASCII letters and digits: approximated (ASCII part
        # exact, all non-ASCII characters added from above, none from below)
        neg_key = key.isupper()
        want_over = over != neg_key  # \\W over-approximated = complement of \\w under-approximated
        ascii_part = WORD if base == "w" else DIGIT
        py = _norm(ascii_part + [(0x80, MAX_CODE)]) if want_over else ascii_part
    else:
        py = _python_classes()[base]
        neg_key = key.isupper()
    if neg_key:
        return _neg(ecma), _neg(py)
    return _norm(ecma), py


CLASS_KEYS = set("dwsDWS")
DOT = (_neg([(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)]), _neg([(0x0A, 0x0A)]))
SIMPLE_ESCAPES = {"t": 9, "n": 10, "r": 13, "f": 12, "v": 11, "0": 0}


def _chr(c: int) -> str:
    if c < 0x100:
        return "\\x%02x" % c
    return chr(c)


def _emit_class(ranges: Ranges) -> str:
    ranges = _norm(ranges)
    if not ranges:
        return "(?:[a]&[b])"  # never used: handled by caller as impossible
    parts = []
    for lo, hi in ranges:
        parts.append(_chr(lo) if lo == hi else f"{_chr(lo)}-{_chr(hi)}")
    return "[" + "".join(parts) + "]"


class _Translator:
    def __init__(self, pattern: str, over: bool = True, dialect: str = "python") -> None:
        self.p = pattern
        self.over = over
        self.dialect = dialect
        self.weight = 0
        self.i = 0
        self.has_empty_class = False

    def error(self, why: str) -> Unsupported:
        return Unsupported(why)

    def escape(self, in_class: bool) -> tuple[Ranges, Ranges]:
        p = self.p
        if self.i >= len(p):
            raise self.error("trailing backslash")
        c = p[self.i]
        self.i += 1
        if c in CLASS_KEYS:
            return _class_escape(c, self.over, self.dialect)
        if c in SIMPLE_ESCAPES:
            if c == "0" and self.i < len(p) and p[self.i].isdigit():
                raise self.error("octal escape")
            v = SIMPLE_ESCAPES[c]
            return [(v, v)], [(v, v)]
        if c == "x":
            h = p[self.i : self.i + 2]
            if len(h) == 2 and all(x in "0123456789abcdefABCDEF" for x in h):
                self.i += 2
                v = int(h, 16)
                return [(v, v)], [(v, v)]
            raise self.error("bad \\x escape")
        if c == "u":
            h = p[self.i : self.i + 4]
            if len(h) == 4 and all(x in "0123456789abcdefABCDEF" for x in h):
                self.i += 4
                v = int(h, 16)
                if 0xD800 <= v <= 0xDFFF:
                    raise self.error("surrogate escape")
                return [(v, v)], [(v, v)]
            raise self.error("bad \\u escape")
        if c.isalnum() or c == "_":
            raise self.error(f"escape \\{c}")
        v = ord(c)
        return [(v, v)], [(v, v)]

    def char_class(self) -> tuple[Ranges, Ranges]:
        p = self.p
        negate = False
        if self.i < len(p) and p[self.i] == "^":
            negate = True
            self.i += 1
            self.over = not self.over
        lower: Ranges = []
        upper: Ranges = []
        first = True
        while True:
            if self.i >= len(p):
                raise self.error("unterminated class")
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            if c == "]" and first:
                raise self.error("empty class")
            if c == "[":
                raise self.error("nested class")
            first = False
            lo_item, up_item = self._class_atom()
            # range?
            if self.i + 1 < len(p) and p[self.i] == "-" and p[self.i + 1] != "]":
                self.i += 1
                lo2, up2 = self._class_atom()
                if not (len(lo_item) == 1 and lo_item == up_item and len(lo2) == 1 and lo2 == up2):
                    raise self.error("class range with class escape")
                a, b = lo_item[0][0], lo2[0][0]
                if lo_item[0][0] != lo_item[0][1] or lo2[0][0] != lo2[0][1] or a > b:
                    raise self.error("bad range")
                lower.append((a, b))
                upper.append((a, b))
            else:
                lower.extend(lo_item)
                upper.extend(up_item)
        if negate:
            self.over = not self.over
            return _neg(lower), _neg(upper)
        return _norm(lower), _norm(upper)

    def _class_atom(self) -> tuple[Ranges, Ranges]:
        c = self.p[self.i]
        self.i += 1
        if c == "\\":
            if self.i < len(self.p) and self.p[self.i] == "b":
                self.i += 1
                return [(8, 8)], [(8, 8)]
            if self.i < len(self.p) and self.p[self.i] == "-":
                self.i += 1
                return [(45, 45)], [(45, 45)]
            return self.escape(True)
        v = ord(c)
        if 0xD800 <= v <= 0xDFFF:
            raise self.error("surrogate")
        return [(v, v)], [(v, v)]

    def translate(self) -> tuple[list[tuple[bool, str, str, bool]], None]:
        """Split into top-level alternatives: (anchored_start, lower, upper, anchored_end)."""
        p = self.p
        alts: list[tuple[bool, str, str, bool]] = []
        lo_out: list[str] = []
        up_out: list[str] = []
        depth = 0
        start_anchor = False
        end_anchor = False
        at_alt_start = True
        while self.i < len(p):
            c = p[self.i]
            if end_anchor and not (c == "|" and depth == 0):
                raise self.error("$ in the middle")
            if c == "^":
                if depth == 0 and at_alt_start and not start_anchor:
                    start_anchor = True
                    self.i += 1
                    continue
                raise self.error("^ in the middle")
            at_alt_start = False
            if c == "$":
                if depth == 0:
                    end_anchor = True
                    self.i += 1
                    continue
                raise self.error("$ inside a group")
            if c == "|" and depth == 0:
                alts.append((start_anchor, "".join(lo_out), "".join(up_out), end_anchor))
                lo_out, up_out = [], []
                start_anchor = end_anchor = False
                at_alt_start = True
                self.i += 1
                continue
            self.i += 1
            if c == "|":
                lo_out.append("|")
                up_out.append("|")
            elif c == "\\":
                if self.i < len(p) and p[self.i] in "bB":
                    raise self.error("word boundary")
                if self.i < len(p) and p[self.i].isdigit() and p[self.i] != "0":
                    raise self.error("back-reference")
                lo, up = self.escape(False)
                self._emit(lo_out, up_out, lo, up)
            elif c == "[":
                lo, up = self.char_class()
                self._emit(lo_out, up_out, lo, up)
            elif c == ".":
                self._emit(lo_out, up_out, DOT[0], DOT[1])
            elif c == "(":
                if p.startswith("?:", self.i):
                    self.i += 2
                elif p.startswith("?", self.i):
                    raise self.error("group extension")
                depth += 1
                lo_out.append("(")
                up_out.append("(")
            elif c == ")":
                if depth == 0:
                    raise self.error("unbalanced")
                depth -= 1
                lo_out.append(")")
                up_out.append(")")
            elif c in "*+?":
                lo_out.append(c)
                up_out.append(c)
                if self.i < len(p) and p[self.i] in "?":
                    self.i += 1  # lazy: same language
                if self.i < len(p) and p[self.i] in "+*":
                    raise self.error("possessive quantifier")
            elif c == "{":
                m = re.match(r"(\d+)(,(\d*))?\}", p[self.i :])
                if not m:
                    raise self.error("literal brace")
                lo_n = int(m.group(1))
                hi_n = m.group(3)
                bound = int(hi_n) if hi_n else lo_n
                self.weight += max(bound, 1)
                # automata grow with repetition counts: keep construction time bounded
                if lo_n > MAX_REPEAT or bound > MAX_REPEAT or self.weight > MAX_WEIGHT:
                    raise self.error("large repetition")
                if hi_n and int(hi_n) < lo_n:
                    raise self.error("bad repetition")
                self.i += m.end()
                q = m.group(0)
                lo_out.append("{" + q)
                up_out.append("{" + q)
                if self.i < len(p) and p[self.i] == "?":
                    self.i += 1
            elif c in "}]":
                raise self.error("stray bracket")
            else:
                v = ord(c)
                if 0xD800 <= v <= 0xDFFF:
                    raise self.error("surrogate")
                self._emit(lo_out, up_out, [(v, v)], [(v, v)])
        if depth:
            raise self.error("unbalanced")
        alts.append((start_anchor, "".join(lo_out), "".join(up_out), end_anchor))
        return alts, None

    def _emit(self, lo_out: list[str], up_out: list[str], lo: Ranges, up: Ranges) -> None:
        if not lo or not up:
            raise self.error("empty class")
        lo_out.append(_emit_class(lo))
        up_out.append(_emit_class(up))


ANY = "[\\x00-" + chr(MAX_CODE) + "]"
NEWLINE_OPT = "(?:\\x0a)?"


def fsm_size(fsm: Fsm) -> int:
    """~100 bytes a transition, ~100 a character class of the alphabet: what an automaton keeps alive."""
    return 100 * (sum(len(row) for row in fsm.map.values()) + len(fsm.alphabet))


def _fsms_size(key: tuple, fsms: Any) -> int:
    return len(key[0]) + (sum(fsm_size(f) for f in fsms) if fsms else 0)


@bounded("pattern-automata", 4096, 16_000_000, _fsms_size)
def pattern_fsms(pattern: str, over: bool = True) -> Optional[tuple[Fsm, ...]]:
    """FSMs of the strings in which `pattern` finds a match, one per SEMANTICS, or None.

    `over=True` gives languages that may be larger than the truth (for patterns an instance
    must match), `over=False` smaller ones (for patterns it must not match).
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        return None
    try:
        # its own step and state limits (the same every time, so "too large" is remembered), the caller's clock
        with metered(Meter(automata.current().budget)):
            return _build(pattern, over)
    except TooLarge:  # too large to build: undecided
        return None
    except BudgetExceeded:  # the caller's time is up: not remembered
        raise
    except Exception:  # unsupported syntax: undecided
        return None


def _build(pattern: str, over: bool) -> tuple[Fsm, ...]:
    out: list[Fsm] = []
    built: dict[str, Fsm] = {}  # the dialects often read a pattern alike: one automaton per distinct text
    for dialect in VALIDATOR_DIALECTS:
        alts, _ = _Translator(pattern, over, dialect).translate()
        lo_parts, up_parts = [], []
        for start, lo, up, end in alts:
            pre = "" if start else ANY + "*"
            lo_parts.append(f"{pre}(?:{lo}){'' if end else ANY + '*'}")
            # Python's $ also matches before one final newline (RE2's and Rust's do not)
            tail = (NEWLINE_OPT if dialect == "python" else "") if end else ANY + "*"
            up_parts.append(f"{pre}(?:{up}){tail}")
        if not out:
            out.append(_fsm("|".join(f"(?:{x})" for x in lo_parts)))
        text = "|".join(f"(?:{x})" for x in up_parts)
        if text not in built:
            built[text] = _fsm(text)
        out.append(built[text])
    return tuple(out)


def _fsm(regex: str) -> Fsm:
    return automata.from_regex(parse(regex))


@bounded("length-automata", 256, 4_000_000, lambda key, fsm: fsm_size(fsm))
def length_fsm(min_len: int, max_len: Optional[int]) -> Fsm:
    hi = "" if max_len is None else str(max_len)
    return _fsm(f"{ANY}{{{min_len},{hi}}}")


@lru_cache(maxsize=1)
def all_strings_fsm() -> Fsm:
    return _fsm(ANY + "*")


def literal_fsm(values: tuple[str, ...]) -> Fsm:
    if not values:
        return NULL
    alts = "|".join("(?:" + "".join(_chr(ord(ch)) for ch in v) + ")" if v else "(?:)" for v in values)
    return _fsm(alts)


PREFERRED = "a0bB1_ -.xyzAZ9@/:" + "".join(chr(c) for c in range(0x21, 0x7F)) + "\u00e9\u4e2d\n"


def _representative(charclass) -> Optional[str]:
    for ch in PREFERRED:
        if charclass.accepts(ch):
            return ch
    if not charclass.negated:
        for lo, _hi in charclass.ord_ranges:
            return chr(lo)
        return None
    for code in range(0x80, 0x3000):
        if charclass.accepts(chr(code)):
            return chr(code)
    return None


def sample_strings(fsm: Fsm, limit: int = 5, max_expansions: int = 4000) -> list[str]:
    """A few short strings accepted by `fsm` (breadth-first, one character per class)."""
    live = automata.live_states(fsm)
    if fsm.initial not in live:
        return []
    out: list[str] = []
    queue: list[tuple[str, int]] = [("", fsm.initial)]
    seen_state_count: dict[int, int] = {}
    i = 0
    while i < len(queue) and i < max_expansions and len(out) < limit:
        text, state = queue[i]
        i += 1
        if state in fsm.finals:
            out.append(text)
        for charclass, nxt in fsm.map.get(state, {}).items():
            if nxt not in live:
                continue
            # visit each state a few times only: keeps the queue small for huge alphabets
            if seen_state_count.get(nxt, 0) >= limit:
                continue
            ch = _representative(charclass)
            if ch is None:
                continue
            seen_state_count[nxt] = seen_state_count.get(nxt, 0) + 1
            queue.append((text + ch, nxt))
    return out


def python_search(pattern: str, s: str) -> Optional[bool]:
    """Concrete match with Python's re (the witness checker's semantics); None if it fails."""
    try:
        return re.search(pattern, s) is not None
    except Exception:
        return None
