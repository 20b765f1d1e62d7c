"""Figures of real runs through the command line (a tiny particle case, seconds to solve).

Requirements (issue 6):
* R1 `stressfem run` makes the figures at the end (results/figures/figures.json and images) unless
  `--no-plot` is given; a failure of the figures never fails a finished run.
* R2 `stressfem plot CASE` re-renders from the written files; the von Mises colour range equals the
  largest per-phase p99_von_mises_Pa of the summary (1e-9 relative); `--animate gif` writes one
  frame per field time entry.
* R3 Figures of an `mpiexec -n 2` run are made afterwards on one process from its field pieces, with
  the same colour range as the summary (1e-9 relative).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import read_summary, run_cli, shipped_case_toml, write_case

TOML = shipped_case_toml("nmc811-llzo-cooldown")
TINY = (TOML.replace("box_um = [20.0, 20.0, 20.0]", "box_um = [12.0, 12.0, 12.0]")
        .replace("size_um = 1.5", "size_um = 3.0").replace("interface_size_um = 0.75", "interface_size_um = 1.5")
        .replace("increments = 5", "increments = 2")
        + "\n[output]\nfields_every_increment = true\n")


def _manifest(case: Path) -> dict:
    return json.loads((case / "results" / "figures" / "figures.json").read_text())


def _check_von_mises_range(case: Path) -> None:
    summary = read_summary(case)
    vm = [e for e in _manifest(case)["figures"] if e["kind"] == "von_mises"]
    assert vm, "no von Mises figure"
    for e in vm:
        step = summary["steps"][e["step_index"]]
        want = max(p["p99_von_mises_Pa"] for p in step["phases"].values()) / 1e6
        assert e["clim_MPa"] == pytest.approx([0.0, want], rel=1e-9)
        assert (case / "results" / "figures" / e["file"]).stat().st_size > 20_000


@pytest.fixture(scope="module")
def tiny_case(tmp_path_factory):
    assert "size_um = 3.0" in TINY and "box_um = [12.0" in TINY, "the shipped case changed; update TINY"
    case = write_case(tmp_path_factory.mktemp("viz") / "tiny", TINY)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STRESSFEM_NO_PLOT", "0")  # conftest turns the figures off for the other tests' runs
        proc = run_cli("run", case)
    assert proc.returncode == 0, proc.stderr
    return case, proc


def test_run_makes_figures(tiny_case):
    case, proc = tiny_case
    assert "figures failed" not in proc.stderr + proc.stdout
    kinds = {e["kind"] for e in _manifest(case)["figures"]}
    assert {"von_mises", "hydrostatic", "deformed", "histograms", "history"} <= kinds
    _check_von_mises_range(case)


def test_plot_and_animate(tiny_case):
    from PIL import Image

    case, _ = tiny_case
    proc = run_cli("plot", case, "--steps", "last", "--animate", "gif")
    assert proc.returncode == 0, proc.stderr
    _check_von_mises_range(case)
    gif = case / "results" / "figures" / "animation-hydrostatic.gif"
    with Image.open(gif) as im:
        assert im.n_frames == 2  # fields_every_increment, 2 increments


def test_figure_failure_is_a_warning(tmp_path, caplog):
    import logging

    from stressfem.cli import _figures_after_run

    logger = logging.getLogger("stressfem")
    propagate, logger.propagate = logger.propagate, True
    try:
        with caplog.at_level(logging.WARNING, logger="stressfem"):
            _figures_after_run(tmp_path / "nothing-here")  # no run there: the child fails, run() carries on
    finally:
        logger.propagate = propagate
    assert "figures failed" in caplog.text


@pytest.mark.mpi
def test_figures_after_mpi_run(tmp_path):
    case = write_case(tmp_path / "mpi", TINY.replace("fields_every_increment = true", "fields_every_increment = false"))
    proc = run_cli("run", case, "--no-plot", np=2)
    assert proc.returncode == 0, proc.stderr
    assert not (case / "results" / "figures").exists()
    assert len(list((case / "results").glob("fields_p1_*.vtu"))) == 1  # two pieces were written
    proc = run_cli("plot", case)
    assert proc.returncode == 0, proc.stderr
    _check_von_mises_range(case)
