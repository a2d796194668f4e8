"""The error codes of the report commands, for ``bootspec explain-error``.

BS004 an --output that exists (without --force) or cannot be written; BS005 a
``diff`` version that is neither a folder nor a revision; BS007 an unknown model
for ``graph``; BS008 nothing to compare in either ``diff`` version; BS009
``graph --format svg`` without Graphviz.
"""

from __future__ import annotations

from bootspec.codes import Entry

CODES: dict[str, Entry] = {
    "BS004": Entry(
        "BS004", "report file exists or cannot be written",
        "--output names a file that already exists (bootspec never replaces a report "
        "unless told to), a folder, or a place that cannot be written. The report is "
        "written to a temporary file beside the target and renamed over it, so a failure "
        "leaves the old file as it was.",
        "argv: check -o README.md",
        "Add --force to replace the file, or choose another --output."),
    "BS005": Entry(
        "BS005", "no such version to diff",
        "A version given to 'bootspec diff' is neither a folder nor a revision of the git "
        "repository the command runs in, or a path after -- has no model or proof file "
        "in it.",
        "argv: diff no-such-revision HEAD",
        "Name a folder, or a commit, branch or tag ('git log' lists them); '.' is the "
        "working tree."),
    "BS007": Entry(
        "BS007", "unknown model for graph",
        "'bootspec graph MODEL' names a model that no loaded file defines.",
        "argv: graph no_such_model",
        "Use a model name from 'bootspec check', or leave MODEL out to draw every model."),
    "BS008": Entry(
        "BS008", "nothing to diff",
        "Neither version given to 'bootspec diff' holds a .boot or .proof file under the "
        "paths (default: models and proofs).",
        "",
        "Name the model and proof folders after --, e.g. 'bootspec diff A B -- boot/models'."),
    "BS009": Entry(
        "BS009", "Graphviz is not installed",
        "'bootspec graph --format svg' runs Graphviz's 'dot' program, which was not found "
        "(or failed).",
        "argv: graph --format svg",
        "Install Graphviz (Debian/Ubuntu: apt-get install graphviz), or use --format dot "
        "and render the DOT text elsewhere."),
}
