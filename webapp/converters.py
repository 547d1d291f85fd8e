"""URL converters: `<int:…>` in every route is an id the database can hold.

A number too large for an INTEGER column (`/deliverables/99999999999999999999`) does not
match the route, so it is a 404 like any id that does not exist, never an OverflowError
deep in the driver. The API's routes say `int(max=MAX_ID)` explicitly; the same cap is the
default here for every page.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL)


class IdConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False) -> None:  # noqa: A002
        super().__init__(
            map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max,
            signed=signed,
        )  # fmt: skip
