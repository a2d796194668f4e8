"""Every cite of the shipped models and proofs follows a form ``cite check`` can check.

When checkouts are given in the environment (BOOTSPEC_CITE_XEN, BOOTSPEC_CITE_EDK2,
BOOTSPEC_CITE_GRUB: git checkouts of xen-project/xen, tianocore/edk2, coreos/grub;
BOOTSPEC_CITE_POSTS: a folder of the saved xen-devel posts), the cites are checked
against them too; otherwise that test skips, saying so."""

from __future__ import annotations

import os

import pytest
from helpers import REPO, cli

from bootspec.citeparse import scan_files
from bootspec.pipeline import discover

FILES = discover([str(REPO / "models"), str(REPO / "proofs")])

# Free text left in the shipped models, each with the reason it cannot be checked.
KNOWN_FREE = {
    "multiboot2 spec: mem_lower, lower memory in KiB, at most 640":
        "the multiboot2 specification is in no repository read here",
}


def test_every_shipped_cite_part_has_a_checkable_form() -> None:
    cites = scan_files(FILES)
    assert len(cites) > 250
    free = [(c.path, c.line, p.text) for c in cites for p in c.parts
            if p.kind == "free" and not p.inferred and p.text not in KNOWN_FREE]
    assert free == []
    # every reference with a quote: a source or commit reference names what it quotes
    bare = [(c.path, c.line, p.text) for c in cites for p in c.parts
            if p.kind in ("source", "commit", "post") and not p.quotes]
    assert bare == []


def test_repository_names_are_the_ones_the_sources_use() -> None:
    repos = {p.repo for c in scan_files(FILES) for p in c.parts if p.repo}
    assert repos == {"xen-project/xen", "tianocore/edk2", "coreos/grub"}


def test_shipped_cites_against_checkouts() -> None:
    env = {"xen": "BOOTSPEC_CITE_XEN", "edk2": "BOOTSPEC_CITE_EDK2",
           "grub": "BOOTSPEC_CITE_GRUB"}
    given = {k: os.environ.get(v) for k, v in env.items()}
    if not all(given.values()):
        pytest.skip("set " + ", ".join(env.values()) + " to git checkouts of xen-project/xen, "
                    "tianocore/edk2 and coreos/grub to check the shipped cites against them")
    argv = ["cite", "check", str(REPO / "models"), str(REPO / "proofs")]
    for k, v in given.items():
        argv += ["--source", f"{k}={v}"]
    if os.environ.get("BOOTSPEC_CITE_POSTS"):
        argv += ["--posts", os.environ["BOOTSPEC_CITE_POSTS"]]
    status, out, err = cli(*argv)
    assert status == 0, out + err
