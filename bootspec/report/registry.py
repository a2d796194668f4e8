"""The report formats: one table that the CLI, ``diff``, the renderers' dispatch, the
golden tests and the docs read (adding a format is a row here, a renderer module, and
an entry in each dispatch table of :mod:`bootspec.report.formats`, which mypy checks
is complete).

This module imports nothing heavy: the CLI reads it to build ``--format`` choices
before it knows whether any report will be written.
"""

from __future__ import annotations

import dataclasses
from typing import Literal, TypeAlias, TypeGuard, get_args

from bootspec.lang.vocab import one_of

ReportFormat: TypeAlias = Literal["text", "md", "json", "junit", "sarif", "html"]


@dataclasses.dataclass(frozen=True)
class FormatInfo:
    name: ReportFormat
    extension: str  # what a file of this format is called: check.EXT
    summary: str  # one line for --help and the docs
    also: tuple[str, ...] = ()  # other extensions that mean this format in --output


TABLE: tuple[FormatInfo, ...] = (
    FormatInfo("text", "txt", "plain ASCII, lines of at most 72 columns, ready to paste "
               "into a mail"),
    FormatInfo("md", "md", "Markdown for a merge-request comment"),
    FormatInfo("json", "json", "the versioned document of "
               "bootspec/report/report.schema.json"),
    FormatInfo("junit", "junit.xml", "JUnit XML: one test case per model x property",
               also=("xml",)),
    FormatInfo("sarif", "sarif.json", "SARIF 2.1.0: findings with the spans of the "
               "property and the regions", also=("sarif",)),
    FormatInfo("html", "html", "one self-contained file: summary, SVG maps, stage paths, "
               "proof cores"),
)

#: the format names, in the order --help lists them
FORMATS: tuple[ReportFormat, ...] = tuple(f.name for f in TABLE)
assert get_args(ReportFormat) == FORMATS, "TABLE lists every ReportFormat once, in order"

BY_NAME: dict[str, FormatInfo] = {f.name: f for f in TABLE}


def one_format(word: str) -> TypeGuard[ReportFormat]:
    """Whether ``word`` names a report format (narrows it to :data:`ReportFormat`)."""
    return one_of(word, FORMATS)


#: what ``-o FILE`` means when ``--format`` is not given: each extension, its format
EXTENSIONS: tuple[tuple[str, ReportFormat], ...] = tuple(
    (ext, f.name) for f in TABLE for ext in (f.extension, *f.also))


def format_of_file(path: str, table: tuple[tuple[str, str], ...] = EXTENSIONS) -> str | None:
    """The format ``path``'s extension names (the longest that matches, case aside:
    ``x.sarif.json`` is SARIF, ``x.json`` JSON), or None for any other name."""
    name = path.lower()
    found = [(ext, fmt) for ext, fmt in table if name.endswith("." + ext)]
    return max(found, key=lambda e: len(e[0]))[1] if found else None


def help_text(default: ReportFormat = "text") -> str:
    """``--format``'s help: the names, the default first."""
    rest = [f for f in FORMATS if f != default]
    return f"{default} (default), " + ", ".join(rest[:-1]) + f" or {rest[-1]}"
