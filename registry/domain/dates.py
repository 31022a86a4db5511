"""Dates with their precision: `2010-07-01` (day), `2010-07` (month) or `2010` (year).

A date known only to the month or the year is stored as the first day of its span plus a precision, and every
interval computation uses that first day. The span (first day .. day before the next span) is where a look-up
cannot tell whether the date had come yet: `uncertain_on` says so."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from registry.errors import InvalidInput

DAY, MONTH, YEAR = "day", "month", "year"
PRECISIONS = (DAY, MONTH, YEAR)
_PATTERN = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


class PartialDate(NamedTuple):
    first_day: dt.date
    precision: str = DAY

    def __str__(self) -> str:
        return reduced(self.first_day, self.precision) or ""


def parse(text: str | dt.date | None, *, pointer: str | None = None, code: str = "invalid_date") -> PartialDate | None:
    """`YYYY-MM-DD`, `YYYY-MM` or `YYYY` (a date object is a day); None stays None. `code`: the error's code (a
    request body's field says `invalid_input`, as for any other malformed field)."""
    if text is None:
        return None
    if isinstance(text, dt.datetime):
        text = text.date()
    if isinstance(text, dt.date):
        return PartialDate(text, DAY)
    found = _PATTERN.match(text) if isinstance(text, str) else None
    try:
        if found is None:
            raise ValueError
        year, month, day = found.groups()
        first = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date: use YYYY-MM-DD, or YYYY-MM or YYYY when the day is not known",
                           pointer=pointer, code=code) from None
    return PartialDate(first, DAY if day else MONTH if month else YEAR)


def reduced(day: dt.date | None, precision: str | None) -> str | None:
    """The date as far as it is known: `2010`, `2010-07` or `2010-07-01`."""
    if day is None:
        return None
    if precision == YEAR:
        return f"{day.year:04d}"
    if precision == MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def span_end(day: dt.date, precision: str | None) -> dt.date:
    """The first day after the span a date stands for (the next day for a day)."""
    if precision == YEAR:
        return dt.date(day.year + 1, 1, 1)
    if precision == MONTH:
        return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return day + dt.timedelta(days=1)


def uncertain_on(start: dt.date | None, precision: str | None, on: dt.date) -> bool:
    """Whether `on` falls inside the unknown part of a start date: for `2010`, 2010-01-01 .. 2010-12-31."""
    return start is not None and precision in (MONTH, YEAR) and start <= on < span_end(start, precision)


def in_force_text(start: dt.date | None, start_precision: str | None, end: dt.date | None,
                  end_precision: str | None) -> str:
    """For pages: `since 2010; day unknown`, `since 2016-07-01, until 2024-01-01`; never a made-up 1 January."""
    if start is None:
        return "no start date"
    text = f"since {spoken(start, start_precision)}"
    return text + (f", until {spoken(end, end_precision)}" if end is not None else "")


def spoken(day: dt.date | None, precision: str | None) -> str:
    """For pages: `2010-07-01`, `July 2010; day unknown`, `2010; day unknown`."""
    if day is None:
        return ""
    if precision == YEAR:
        return f"{day.year}; day unknown"
    if precision == MONTH:
        return f"{day.strftime('%B')} {day.year}; day unknown"
    return day.isoformat()
