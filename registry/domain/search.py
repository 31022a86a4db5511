"""The one normaliser of site search: text in any language becomes plain ASCII words, the same for what is indexed
and for what is asked, so that SQLite FTS5 and PostgreSQL's tsvector (config 'simple') find the same things.

- Latin-script words are stemmed with the English Snowball stemmer (returns → return, withdrawal → withdraw),
  Cyrillic ones with the Russian one (возврата → возврат); other alphabets are only lower-cased.
- Han, kana and Hangul have no spaces between words: a run of them becomes its character bigrams (中华人民 →
  中华 华人 人民), and, in the index, its single characters too, so that a one-character query finds them.
- A word that is not ASCII becomes `x` and the hex of its UTF-8 bytes: neither engine's tokenizer then depends on
  the database's locale or on how it classifies Cyrillic or Han characters.
Pure: no web, no storage."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator

import snowballstemmer

MAX_QUERY_WORDS = 16
# PostgreSQL refuses a tsvector over 1 MB; an entry's text is cut before this many characters
MAX_TEXT = 200_000

_RUN = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z\u00c0-\u024f]")


@lru_cache(maxsize=None)
def _stemmer(language: str) -> snowballstemmer.basestemmer.BaseStemmer:  # type: ignore[name-defined]
    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if _CYRILLIC.search(word):
        return _stemmer("russian").stemWord(word)
    if _LATIN.search(word):
        # folded (é → e) after stemming: "café" and "cafe" meet
        stemmed = _stemmer("english").stemWord(word)
        return "".join(c for c in unicodedata.normalize("NFKD", stemmed) if not unicodedata.combining(c))
    return word


def _ascii(word: str) -> str:
    return word if word.isascii() else "x" + word.encode("utf-8").hex()


def _words(text: str, *, indexing: bool) -> Iterator[str]:
    for run in _RUN.findall(unicodedata.normalize("NFKC", text or "").casefold()):
        position = 0
        for cjk in _CJK.finditer(run):  # a run may mix scripts ("中国2024"): split at the CJK part
            if cjk.start() > position:
                yield _stem(run[position:cjk.start()])
            chars = cjk.group()
            if len(chars) == 1 or indexing:
                yield from chars
            yield from (chars[i:i + 2] for i in range(len(chars) - 1))
            position = cjk.end()
        if position < len(run):
            yield _stem(run[position:])


def index_text(text: str) -> str:
    """What an engine indexes for this text: its normalised words, separated by spaces."""
    return " ".join(_ascii(w) for w in _words(text[:MAX_TEXT], indexing=True))


def query_words(text: str) -> list[str]:
    """The normalised words of a search, each once, at most MAX_QUERY_WORDS; operators and punctuation are only
    separators (an FTS5 or tsquery operator in the request is a word or nothing)."""
    seen: dict[str, None] = {}
    for word in _words(text, indexing=False):
        seen.setdefault(_ascii(word))
    return list(seen)[:MAX_QUERY_WORDS]


def fts5_query(words: list[str]) -> str:
    """Every word required, each as an FTS5 string (our words are ASCII letters and digits only)."""
    return " ".join(f'"{w}"' for w in words)


__all__ = ["MAX_QUERY_WORDS", "MAX_TEXT", "fts5_query", "index_text", "query_words"]
