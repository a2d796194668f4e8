"""A loaded project: its files, models, proofs and boot paths, as plain data.

Made by :func:`bootspec.pipeline.load`; kept apart from the pipeline so that what it
is handed to (the binding of real maps in :mod:`bootspec.memmap.bind`, the reports)
can name it without importing the pipeline above them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bootspec.diagnostics import Diagnostic
from bootspec.engine.paths import Path as BootPath
from bootspec.engine.verdicts import obligations
from bootspec.lang.ir import Model, Obligation, Proof


@dataclasses.dataclass
class Project:
    files: list[Path]
    sources: dict[str, str]
    models: dict[str, Model]
    proofs: list[Proof]
    paths: dict[str, list[BootPath]]
    # files read besides the models and proofs ('image ... from elf', 'map ... from',
    # --memmap): path -> "sha256:<hex>"; the report's sources hash covers them
    inputs: dict[str, str] = dataclasses.field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()  # shown, never fatal (an empty file, BS131)

    def obligations(self) -> list[Obligation]:
        return obligations(self.models, self.proofs)

    def proof(self, name: str) -> Proof | None:
        return next((p for p in self.proofs if p.name == name), None)

    def proof_of(self, ob: Obligation) -> Proof | None:
        """The proof an obligation comes from; None for 'wellformed' and asserts."""
        return self.proof(ob.name) if ob.kind == "proof" else None
