"""Real machine memory-map importers (Linux e820/EFI, Xen, sysfs, bootspec JSON).

Import with :func:`parse_path` / :func:`parse_text`, check with
:func:`check_map`, print with :func:`bootspec.memmap.show.render_map`.
Error codes are BS5xx (:data:`bootspec.memmap.codes.CODES`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bootspec.memmap.model import Limits, MapEntry, ParsedMap, ParseResult
    from bootspec.memmap.parse import parse_path, parse_text
    from bootspec.memmap.sanity import Finding, check_map

# imported on first use (PEP 562): the command line registers 'memmap' on every start,
# and a run that reads no map must not pay for the importers
_HOME = {"Limits": "model", "MapEntry": "model", "ParsedMap": "model", "ParseResult": "model",
         "parse_path": "parse", "parse_text": "parse", "Finding": "sanity",
         "check_map": "sanity"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Finding",
    "Limits",
    "MapEntry",
    "ParseResult",
    "ParsedMap",
    "check_map",
    "parse_path",
    "parse_text",
]
