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
import threading
import unicodedata
from typing import Any, Iterator

import snowballstemmer

MAX_QUERY_WORDS = 16
# PostgreSQL refuses a tsvector over 1 MB: an entry keeps at most this many characters of normalised words (Han text
# makes about seven times its length: each character and each pair, in hex)
MAX_TEXT = 300_000

_RUN = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z\u00c0-\u024f]")


_local = threading.local()  # a Snowball stemmer keeps its word in itself: one per thread


def _stemmer(language: str) -> Any:
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {name: snowballstemmer.stemmer(name) for name in ("english", "russian")}
    return stemmers[language]


def version() -> str:
    """What made the words: an index written by another normaliser or stemmer library is written again."""
    return f"1 {type(_stemmer('english')).__module__}"


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
            for i, char in enumerate(chars):  # each character, then the pair it starts: a cut text keeps both
                if indexing or len(chars) == 1:
                    yield char
                if i + 1 < len(chars):
                    yield chars[i:i + 2]
            position = cjk.end()
        if position < len(run):
            yield _stem(run[position:])


def index_text(text: str) -> str:
    """What an engine indexes for this text: its normalised words, separated by spaces, the first MAX_TEXT
    characters of them."""
    kept, size = [], 0
    for word in _words(text[:MAX_TEXT], indexing=True):
        word = _ascii(word)
        size += len(word) + 1
        if size > MAX_TEXT + 1:
            break
        kept.append(word)
    return " ".join(kept)


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


__all__ = ["MAX_QUERY_WORDS", "MAX_TEXT", "fts5_query", "index_text", "query_words", "version"]
