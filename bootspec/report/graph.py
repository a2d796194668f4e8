"""``bootspec graph [PATH...] [-m MODEL]``: a picture of the stage graph.

Nodes are stages (in declaration order), labelled with the regions each one
places; roots have a bold border. An edge goes from each ``after`` stage to the
stage, labelled with the target's ``when`` guard as written; a black dot (where
the boot starts) has an edge to each root, labelled with the root's guard, so
that every guard sits on an edge and none inside a node. Without MODEL, every
model of the project is drawn, one cluster each, :data:`COLUMNS` to a
row (one wide row of 31 models was 8,751 pt wide; wrapped it is 1,192 pt).

Graphviz DOT is always available; ``svg`` runs Graphviz's ``dot`` and says so
clearly (BS009) when it is not installed. Exit status: 0, or 2 for a mistake
(unknown model BS007, no Graphviz BS009, an existing --output BS004).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from typing import TYPE_CHECKING, TextIO

from bootspec.argtypes import (
    Subparsers,
    add_output_options,
    add_path_options,
    add_paths_argument,
    options_of,
    scope_of,
)
from bootspec.diagnostics import BootspecError, Diagnostic, Span, did_you_mean
from bootspec.report.files import check_writable, emit

if TYPE_CHECKING:  # the models' modules are imported when a graph is drawn
    from bootspec.lang.ir import Model
    from bootspec.pipeline import Project
    from bootspec.report.view import SourceText

_CMD = Span("<command line>", 0, 0)
COLUMNS = 3  # models per row of the all-models graph
START = "(boot)"  # the start node's name after the model prefix: no stage is named so


def q(s: str) -> str:
    """A DOT string literal.

    >>> q('a "b" \\\\ c')
    '"a \\\\"b\\\\" \\\\\\\\ c"'
    """
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _placed(model: Model, stage: str) -> list[str]:
    from bootspec.lang import ast as A
    out = []
    for line in model.stages[stage].body:
        name = (line.region if isinstance(line, A.Place | A.Move)
                else line.dst if isinstance(line, A.Copy) else None)
        if name and name not in out:
            out.append(name)
    return out


def _model_lines(model: Model, src: SourceText, prefix: str, indent: str) -> list[str]:
    from bootspec.engine.paths import stage_graph
    g = stage_graph(model)
    order = list(model.stages)
    out = []
    for name in order:
        placed = _placed(model, name)
        label = name + (("\nplaces " + ", ".join(placed)) if placed else "")
        attrs = [f"label={q(label)}"]
        if g.in_degree(name) == 0:
            attrs.append("penwidth=2.5")
        out.append(f"{indent}{q(prefix + name)} [{', '.join(attrs)}];")
    out.append(f"{indent}{q(prefix + START)} [shape=circle, label=\"\", width=0.18, "
               'fixedsize=true, style=filled, fillcolor="#333333", tooltip="boot starts"];')
    for target in order:
        stage = model.stages[target]
        when = src.text(stage.guard.span) if stage.guard is not None else ""
        sources = sorted(g.predecessors(target), key=order.index) or [START]
        for source in sources:
            edge = f" [label={q('when ' + when)}]" if when else ""
            out.append(f"{indent}{q(prefix + source)} -> {q(prefix + target)}{edge};")
    return out


def _sinks(model: Model) -> list[str]:
    from bootspec.engine.paths import stage_graph
    g = stage_graph(model)
    return [s for s in model.stages if g.out_degree(s) == 0]


def dot_source(project: Project, model: str | None = None) -> str:
    """The DOT text of one model's stage graph, or of every model (one cluster each)."""
    from bootspec.report.view import SourceText
    src = SourceText(project.sources)
    head = ["digraph bootspec {", "  rankdir=TB;", '  fontname="Helvetica";',
            '  node [shape=box, style="rounded,filled", fillcolor="#f4f6fb", '
            'fontname="Helvetica", fontsize=11];',
            '  edge [fontname="Helvetica", fontsize=10, color="#555555"];']
    if model is not None:
        m = project.models[model]
        body = [f"  label={q(f'model {m.name}')};", "  labelloc=t;"]
        body += _model_lines(m, src, "", "  ")
    else:
        body = []
        names = sorted(project.models)
        for i, name in enumerate(names):
            m = project.models[name]
            body += [f"  subgraph cluster_{i} {{", f"    label={q(f'model {name}')};",
                     '    style="rounded"; color="#999999";']
            body += _model_lines(m, src, f"{name}/", "    ")
            body.append("  }")
        # COLUMNS models to a row: invisible edges hang each model under the one
        # COLUMNS before it, so the picture wraps instead of growing one wide row
        for i, name in enumerate(names[COLUMNS:]):
            above = names[i]
            for sink in _sinks(project.models[above]):
                body.append(f"  {q(f'{above}/{sink}')} -> {q(f'{name}/{START}')} "
                            "[style=invis];")
    return "\n".join(head + body + ["}"]) + "\n"


def to_svg(dot: str) -> str:
    """Run Graphviz; BS009 when it is missing or fails."""
    exe = shutil.which("dot")
    if exe is None:
        raise BootspecError([Diagnostic(
            "BS009", "--format svg needs Graphviz's 'dot' program, which is not installed",
            _CMD, hint="install Graphviz (Debian/Ubuntu: apt-get install graphviz), or use "
            "--format dot and render the graph elsewhere")])
    try:
        done = subprocess.run([exe, "-Tsvg"], input=dot, capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BootspecError([Diagnostic("BS009", f"Graphviz 'dot' failed: {e}", _CMD)]) from None
    if done.returncode != 0:
        raise BootspecError([Diagnostic("BS009", "Graphviz 'dot' failed: "
                                        + (done.stderr.strip() or f"exit {done.returncode}"),
                                        _CMD)])
    return done.stdout


def add_parser(subparsers: Subparsers) -> None:
    """Register ``graph [PATH...] [-m MODEL] [--format dot|svg] [-o FILE] [--force]``
    (the older ``graph MODEL --path P`` still works, with a note)."""
    g = subparsers.add_parser("graph", help="draw the stage graph of a model (Graphviz DOT, "
                              "or SVG when Graphviz is installed)",
                              description="Draw the stage graph: stages, their 'after' edges "
                              "labelled with the target's 'when' guard, and what each places.")
    add_paths_argument(g)
    g.add_argument("--model", "-m", help="the model (default: every model, one cluster "
                   "each)")
    add_path_options(g)
    add_output_options(g, kind="graph", formats=("dot", "svg"), default="dot",
                       format_help="dot (default; Graphviz source) or svg (runs Graphviz's "
                       "dot)")
    g.set_defaults(func=run_graph)


def run_graph(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from bootspec.pipeline import discover, load
    if args.model is None and args.paths and not os.path.exists(args.paths[0]):
        # the older 'graph MODEL [--path P]': a first word that is no file or folder
        args.model, args.paths = args.paths[0], args.paths[1:]
        stderr.write(f"bootspec: note: 'graph MODEL' is deprecated: write 'graph -m "
                     f"{args.model}'\n")
    opts = options_of(args)
    check_writable(opts.output, opts.force)
    files = discover(list(opts.paths))
    project = load(files, scope=scope_of(args, files))
    if args.model is not None and args.model not in project.models:
        raise BootspecError([Diagnostic(
            "BS007", f"no model '{args.model}'", _CMD,
            hint=did_you_mean(args.model, project.models)
            or "models: " + ", ".join(sorted(project.models)))])
    dot = dot_source(project, args.model)
    emit(to_svg(dot) if opts.format == "svg" else dot, opts.output, opts.force, stdout)
    return 0
