"""Text from users and files, as the terminal shows it: Rich reads `[bold]`, `[/]` and `[link=…]` in a printed
string as markup (a title holding `[/]` crashed `registry meetings list`; one holding `[link=…]` hid a terminal
hyperlink), and a raw ESC starts a terminal escape sequence. `shown()` makes a value print literally."""

from __future__ import annotations

import re

from rich.markup import escape

# C0 controls but tab and newline, DEL and C1 controls (ESC starts colours, titles and OSC 8 hyperlinks)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(value: object) -> str:
    """The value as text that Rich prints as it is: markup escaped, control characters replaced by U+FFFD."""
    return escape(_CONTROL.sub("\ufffd", "" if value is None else str(value)))
