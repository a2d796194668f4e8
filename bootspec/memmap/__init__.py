"""Real machine memory-map importers (Linux e820/EFI, Xen, sysfs, bootspec JSON).

Import with :func:`parse_path` / :func:`parse_text`, check with
:func:`check_map`, print with :func:`bootspec.memmap.show.render_map`.
Error codes are BS5xx (:data:`bootspec.memmap.codes.CODES`).
"""

from bootspec.memmap.model import Limits, MapEntry, ParsedMap, ParseResult
from bootspec.memmap.parse import parse_path, parse_text
from bootspec.memmap.sanity import Finding, check_map

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
