"""The cache of ``memmap check`` and ``check --memmap``: a machine checked again is not
decided again, and each model's note (proofs for every map, known runs, the last
counterexamples) carries over from run to run without changing any report."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from helpers import REPO, cli, reseal

from bootspec.cache import Cache
from bootspec.pipeline import discover, load
from bootspec.sweep.cli import select_models
from bootspec.sweep.reuse import Reuse
from bootspec.sweep.run import check_machine

FIX = Path(__file__).resolve().parent / "fixtures"
MACHINES = FIX / "machines"
MODELS = ["--path", str(FIX / "models"), "--model", "low_alloc", "--model",
          "low_alloc_trusting", "--model", "low_tramp"]
CORPUS = REPO / ".." / "shared" / "data" / "memmaps"
# e820 machines (the kdump models) and EFI ones (trampoline, early allocator)
SLICE = ["idx-56673800654.txt", "ml-pdx86-2f01b4bf74.txt", "ml-pdx86-7bd0192833.txt",
         "ml-pdx86-e9bbb78cf6.txt", "ml-kexec-1a1de111d5-b.txt"]
SHIPPED = ["--model", "xen_kdump", "--model", "xen_trampoline", "--model", "xen_early_alloc"]


def run(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    return cli("memmap", "check", "--no-timing", "--format", "json", *argv, cwd=cwd)


def notes(folder: Path) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for f in sorted(folder.rglob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        if "note" in data:
            out.append(data["note"])
    return out


def need_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared memory-map corpus not found at {CORPUS.resolve()}")


def test_a_machine_checked_again_is_not_decided_again(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    first = run(str(MACHINES), *MODELS, *cache)
    assert first[0] == 1, first[2]
    kept = notes(tmp_path / "c")
    assert any(n.get("proved") for n in kept)  # each model's proofs for every map
    assert sum("rows" in n for n in kept) == 2  # each machine's report (one is skipped)

    def no_solving(*_a: object, **_k: object) -> None:
        raise AssertionError("decided again")

    from bootspec.engine.check import ModelChecker
    from bootspec.sweep import run as sweep_run
    monkeypatch.setattr(ModelChecker, "decide_all", no_solving)
    monkeypatch.setattr(ModelChecker, "decide", no_solving)
    monkeypatch.setattr(sweep_run, "sample_regions", no_solving)
    assert run(str(MACHINES), *MODELS, *cache) == first


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    code, _, err = run(str(MACHINES / "clean-efi.txt"), *MODELS, "--no-cache", cwd=tmp_path)
    assert code == 0, err
    assert list(tmp_path.iterdir()) == []


def test_a_broken_cache_changes_no_report(tmp_path: Path) -> None:
    """Unreadable, foreign or ill-typed entries are ignored (and replaced)."""
    folder = tmp_path / "c"
    cache = ["--cache-dir", str(folder)]
    clean = run(str(MACHINES), *MODELS, "--no-cache")
    assert run(str(MACHINES), *MODELS, *cache) == clean
    files = sorted(folder.rglob("*.json"))
    junk = ["not json", "[]", '{"schema": 1}', json.dumps({"schema": 1, "key": "x", "note": 5})]
    for i, f in enumerate(files):
        data = json.loads(f.read_text(encoding="utf-8"))
        if "rows" in data.get("note", {}):  # a machine's report with a mistyped field
            data["note"]["rows"][0]["seconds"] = "soon"
            data["note"]["rows"][-1]["placement"] = [{"name": 1, "start": 2, "end": 3}]
        elif "note" in data and i % 2:  # a model's note of the wrong shape
            data["note"] = {"proved": [[1, 2], None], "witnesses": "x", "hints": []}
        else:
            data = junk[i % len(junk)]  # type: ignore[assignment]
        f.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    assert run(str(MACHINES), *MODELS, *cache) == clean
    assert run(str(MACHINES), *MODELS, *cache) == clean  # and what it rewrote is good


def test_a_cache_dir_that_is_a_file_is_left_alone(tmp_path: Path) -> None:
    f = tmp_path / "mine.txt"
    f.write_text("keep me\n", encoding="utf-8")
    code, out, err = run(str(MACHINES / "clean-efi.txt"), *MODELS, "--cache-dir", str(f))
    # a mistake in a flag: said, before any work (it was a run without a cache, in
    # silence); the file is never written either way
    assert code == 2 and out == "" and "--cache-dir" in err and "not a folder" in err, err
    assert f.read_text(encoding="utf-8") == "keep me\n"


def model_notes(folder: Path) -> list[dict]:  # type: ignore[type-arg]
    return [n for n in notes(folder) if "witnesses" in n]


@pytest.mark.long
def test_parallel_runs_share_the_cache(tmp_path: Path) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    serial = run(str(MACHINES), *MODELS, "--no-cache")
    assert run(str(MACHINES), *MODELS, *cache, "-j", "2") == serial
    kept = model_notes(tmp_path / "c")
    assert len(kept) == 3 and all(n["proved"] for n in kept)
    assert run(str(MACHINES), *MODELS, *cache, "-j", "2") == serial


def test_workers_leave_their_runs_and_counterexamples_in_the_notes(tmp_path: Path) -> None:
    need_corpus()
    cache = ["--cache-dir", str(tmp_path / "c")]
    files = [str(CORPUS / n) for n in SLICE[:3]]
    code, _, err = run(*files, "--model", "xen_kdump", *cache, "-j", "2", cwd=REPO)
    assert code in (0, 1), err
    kept = model_notes(tmp_path / "c")
    assert len(kept) == 2 and all(n["proved"] and n["witnesses"] for n in kept)
    assert any("kdump_clear_of_xen_image" in n["hints"] for n in kept)


def test_what_a_report_depends_on_is_in_its_key(tmp_path: Path) -> None:
    """After a cached run, a changed map file, flag or proof gives what an empty
    cache gives for it, not the kept report."""
    folder = tmp_path / "models"
    shutil.copytree(FIX / "models", folder)
    machine = tmp_path / "m.txt"
    shutil.copy(MACHINES / "clean-efi.txt", machine)
    models = ["--path", str(folder), *MODELS[2:]]
    cache = ["--cache-dir", str(tmp_path / "c")]

    def both(*argv: str) -> tuple[int, str, str]:
        fresh = run(str(machine), *models, *argv, "--no-cache")
        assert run(str(machine), *models, *argv, *cache) == fresh
        return fresh

    first = both()
    assert both("--no-sample") != first
    text = machine.read_text(encoding="utf-8")  # boot services now where buf lands
    machine.write_text(text.replace("type=7, attr=0xf, range=[0x0000000000001000",
                                    "type=4, attr=0xf, range=[0x0000000000001000"),
                       encoding="utf-8")
    assert both()[1] != first[1]
    machine.write_text(text, encoding="utf-8")
    assert both() == first
    boot = folder / "low_alloc.boot"
    boot.write_text(boot.read_text(encoding="utf-8").replace(
        "always within(tramp, fw types {conventional})", "always below(tramp, 512KiB)"),
        encoding="utf-8")
    assert both()[1] != first[1]


def test_the_limits_are_in_the_key(tmp_path: Path) -> None:
    need_corpus()
    machine = [str(CORPUS / SLICE[0]), "--model", "xen_kdump"]
    cache = ["--cache-dir", str(tmp_path / "c")]
    first = run(*machine, *cache, cwd=REPO)
    assert first == run(*machine, "--no-cache", cwd=REPO)
    starved = run(*machine, "--rlimit", "1", *cache, cwd=REPO)  # every query gives up
    assert starved == run(*machine, "--rlimit", "1", "--no-cache", cwd=REPO)
    assert starved[1] != first[1] and '"unknown"' in starved[1]


def test_hostile_entries_are_ignored(tmp_path: Path) -> None:
    """Numbers JSON cannot make integers, nesting too deep to parse, a FIFO where an
    entry should be: each is a miss, never a traceback or a hang."""
    folder = tmp_path / "c"
    cache = ["--cache-dir", str(folder)]
    clean = run(str(MACHINES), *MODELS, "--no-cache")
    assert run(str(MACHINES), *MODELS, *cache) == clean
    files = sorted(f for f in folder.rglob("*.json"))
    for i, f in enumerate(files):
        data = json.loads(f.read_text(encoding="utf-8"))
        if "witnesses" in data["note"]:
            text = f.read_text(encoding="utf-8")
            f.write_text(re.sub(r'"witnesses": \[[^]]*\]', '"witnesses": [{"p:len": 1e999}]',
                                text), encoding="utf-8")
            reseal(f)  # the note's reader must refuse it, not only the checksum
        elif i % 2:
            f.write_text("[" * 200_000, encoding="utf-8")
        else:
            f.unlink()
            os.mkfifo(f)
    assert run(str(MACHINES), *MODELS, *cache) == clean


def test_a_proof_contradicted_by_a_kept_counterexample_is_dropped(tmp_path: Path) -> None:
    project = load(discover([str(FIX / "models")]))
    cache = Cache(tmp_path)
    reuse = Reuse(project, cache=cache)
    note = {"proved": [["buf_outside_boot_services", "wellformed", "not_mine"],
                       ["buf_outside_boot_services", "wellformed"]],
            "witnesses": [{"p:len": 1024}],
            "hints": {"buf_outside_boot_services": {"p:len": 1024}}}
    cache.put_note(reuse._key("low_alloc"), note)
    reuse._load("low_alloc")
    assert reuse.proved["low_alloc"] == (frozenset({"wellformed"}),
                                         frozenset({"wellformed",
                                                    "buf_outside_boot_services"}))
    assert reuse.carried["low_alloc"].witnesses == [{"p:len": 1024}]
    for bad in ({**note, "proved": "ab"}, {**note, "witnesses": [{"p:len": True}]},
                {**note, "hints": {"x": {"p:len": 1.5}}}, {**note, "proved": [[1], []]}):
        fresh = Reuse(project, cache=cache)
        cache.put_note(fresh._key("low_alloc"), bad)
        fresh._load("low_alloc")
        assert fresh.proved == {} and fresh.carried == {}


@pytest.mark.long
def test_notes_from_other_machines_change_no_report(tmp_path: Path) -> None:
    """Real machines, each checked in a run of its own after runs on other machines
    filled the cache: the report is the one an empty cache gives."""
    need_corpus()
    cache = ["--cache-dir", str(tmp_path / "c")]
    files = [str(CORPUS / n) for n in SLICE]
    code, _, err = run(*files[:2], *SHIPPED, *cache, cwd=REPO)
    assert code in (0, 1), err
    kept = notes(tmp_path / "c")
    assert any(n.get("witnesses") for n in kept) and any(n.get("hints") for n in kept)
    for f in files[2:]:
        assert run(f, *SHIPPED, *cache, cwd=REPO) == run(f, *SHIPPED, "--no-cache", cwd=REPO)


def test_a_models_note_holds_what_proving_again_gives(tmp_path: Path) -> None:
    need_corpus()
    project = load(discover([str(REPO / "models"), str(REPO / "proofs")]))
    models = [n for n in select_models(project, ["xen_kdump", "xen_trampoline"])
              if any(m.symbolic for m in project.models[n].maps.values())]
    cache = Cache(tmp_path)
    first = Reuse(project, cache=cache)
    for name in SLICE[:2]:
        check_machine(project, models, str(CORPUS / name), sample=False, reuse=first)
    first.save(force=True)
    again = Reuse(project, cache=cache)
    for name in models:
        again._load(name)
    assert again.proved == {n: Reuse(project).prove(n) for n in again.proved}
    assert set(again.proved) == set(first.proved) and again.proved
    assert {n: c.hints for n, c in again.carried.items()} == \
        {n: c.hints for n, c in first.carried.items()}


def test_check_memmap_uses_the_cache(tmp_path: Path) -> None:
    machine = str(MACHINES / "r820-like-efi.txt")
    argv = ("check", str(FIX / "models"), "--memmap", machine, "--no-timing",
            "--format", "json")
    clean = cli(*argv, "--no-cache")
    cache = ("--cache-dir", str(tmp_path / "c"))
    assert cli(*argv, *cache) == clean
    assert any(n.get("proved") for n in notes(tmp_path / "c"))
    assert cli(*argv, *cache) == clean


@pytest.mark.slow
def test_every_corpus_machine_is_the_same_with_notes_from_the_other_half(tmp_path: Path) -> None:
    """The bench's protocol, checked for equality: each half of the corpus sweeps into
    a cache of its own, then every machine of the other half is checked in a run of
    its own against it; its rows and notes equal those of an empty cache."""
    import dataclasses

    from bootspec.engine.check import ModelChecker
    from bootspec.sweep.cli import expand_inputs
    from bootspec.sweep.run import check_machines

    def no_proving(*_a: object) -> bool:
        raise AssertionError("proved again")

    need_corpus()
    project = load(discover([str(REPO / "models"), str(REPO / "proofs")]))
    models = [n for n, m in project.models.items() if any(x.symbolic for x in m.maps.values())]
    inputs = expand_inputs([str(CORPUS)])[0]
    halves = (inputs[0::2], inputs[1::2])
    used = 0
    for k, (seen, new) in enumerate((halves, halves[::-1])):
        check_machines(project, models, seen, sample=False, cache=Cache(tmp_path / str(k)))
        assert sum(bool(n.get("proved")) for n in notes(tmp_path / str(k))) == len(models)
        for f, explicit in new:
            cache = Cache(tmp_path / str(k))
            reuse = Reuse(project, cache=cache)
            with pytest.MonkeyPatch.context() as mp:  # the proofs come from the notes
                mp.setattr(ModelChecker, "proved_for_every_map", no_proving)
                kept = check_machine(project, models, f, None, False, explicit, reuse, cache)
            used += sum(len(p[1]) for p in reuse.proved.values())
            empty = check_machine(project, models, f, None, False, explicit)
            assert [dataclasses.replace(r, seconds=0.0) for r in kept.rows] == \
                [dataclasses.replace(r, seconds=0.0) for r in empty.rows], f
            assert kept.notes == empty.notes, f
    assert used > 0
