"""Sweeps on executors: a local process pool and a local Dask cluster give the same
verdicts in the same order as a serial run."""

from __future__ import annotations

import pytest
from helpers import REPO, cli

from bootspec.pipeline import check_project, discover, load
from bootspec.runner import make_executor


def _summary(results: list) -> list[tuple[str, str, str]]:
    return [(r.obligation.model, r.obligation.name, r.verdict.status) for r in results]


def _project():  # type: ignore[no-untyped-def]
    return load(discover([str(REPO / "models" / "hvmloader_ovmf.boot"),
                          str(REPO / "proofs" / "firmware.proof")]))


def test_local_pool_matches_serial() -> None:
    project = _project()
    with make_executor("local", 2) as pool:
        assert _summary(check_project(project, executor=pool)) == \
            _summary(check_project(project))


@pytest.mark.long
def test_dask_cluster_matches_serial() -> None:
    distributed = pytest.importorskip("distributed", reason="the 'distributed' package is "
                                      "not installed (pip install 'bootspec[dask]')")
    project = _project()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        url = "dask://" + cluster.scheduler_address.replace("tcp://", "")
        with make_executor(url, 1) as pool:
            assert _summary(check_project(project, executor=pool)) == \
                _summary(check_project(project))


@pytest.mark.long
def test_unreachable_dask_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    status, _, err = cli("check", "--no-cache", "--executor", "dask://127.0.0.1:9",
                         str(REPO / "models" / "hvmloader_ovmf.boot"),
                         str(REPO / "proofs" / "firmware.proof"))
    assert status == 2 and "BS006" in err


@pytest.mark.long
def test_memmap_check_on_a_dask_cluster_matches_serial() -> None:
    """``memmap check --executor dask://...`` sends each machine to the cluster with the
    sweep's state (no pool initializer there) and reports what a serial run does."""
    distributed = pytest.importorskip("distributed", reason="the 'distributed' package is "
                                      "not installed (pip install 'bootspec[dask]')")
    fixtures = REPO / "tests" / "memmap" / "fixtures"
    argv = ["memmap", "check", "--no-cache", "--no-timing", "--format", "json",
            str(fixtures / "machines"), "--path", str(fixtures / "models"),
            "-m", "low_alloc", "-m", "low_alloc_trusting", "-m", "low_tramp"]
    serial = cli(*argv)
    assert serial[0] == 1 and '"not_acceptable": 1' in serial[1]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        url = "dask://" + cluster.scheduler_address.replace("tcp://", "")
        assert cli(*argv, "--executor", url) == serial
    assert cli(*argv, "--executor", "local", "-j", "2") == serial


@pytest.mark.long
def test_memmap_check_with_an_unreachable_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    fixtures = REPO / "tests" / "memmap" / "fixtures"
    status, _, err = cli("memmap", "check", "--no-cache", "--executor", "dask://127.0.0.1:9",
                         str(fixtures / "machines"), "--path", str(fixtures / "models"),
                         "-m", "low_alloc")
    assert status == 2 and "BS006" in err
