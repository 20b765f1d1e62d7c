"""Figures, plots, animation and the HTML report of a finished run, made from the written files.

Everything here reads ``CASE/results/`` (summary.json, history.csv, fields.pvd, ...) and never
solver memory, so it works after an MPI run, on one process, on another machine. Output goes to
``CASE/results/figures/`` (each file written under a temporary name, then renamed) with a manifest
``figures.json`` (file, kind, step, colour range and its source in the summary).
"""

from .data import FIGURES, ResultsData

__all__ = ["FIGURES", "ResultsData", "make_all"]


def make_all(case_or_results, steps: str = "all", volume_figures: bool = True, plots: bool = True) -> list[dict]:
    """3D figures and matplotlib plots of a results folder; returns the manifest entries."""
    from .figures import make_figures

    return make_figures(case_or_results, steps=steps, volume_figures=volume_figures, plots=plots)
