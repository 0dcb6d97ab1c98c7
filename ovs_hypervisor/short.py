"""One short, safe repr for messages: they quote the offending value, and a megabyte-long
line or a huge list must not become a megabyte-long message."""

from __future__ import annotations

import reprlib

__all__ = ["short"]

_REPR = reprlib.Repr()
# reprlib cuts long strings and containers in the middle with "...".
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 6
_REPR.maxlevel = 3


def short(value: object) -> str:
    """repr() for messages, long values cut with '...'."""
    try:
        return _REPR.repr(value)
    except Exception:  # a user object whose __repr__ fails must not hide the real problem
        return f"<{type(value).__name__}>"
