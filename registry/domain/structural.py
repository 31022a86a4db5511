"""A structural diff between two JSON values: the pointers that were added, removed or changed."""

from __future__ import annotations

from typing import Any, Iterator

from registry.domain.jsonbody import pointer_join


def structural_changes(left: Any, right: Any, path: tuple = ()) -> Iterator[tuple[str, str, Any, Any]]:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if key not in right:
                yield pointer_join(*path, key), "removed", left[key], None
            elif key not in left:
                yield pointer_join(*path, key), "added", None, right[key]
            else:
                yield from structural_changes(left[key], right[key], path + (key,))
    elif isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right)):
            yield from structural_changes(a, b, path + (index,))
    elif type(left) is not type(right) or left != right:
        yield pointer_join(*path), "changed", left, right
