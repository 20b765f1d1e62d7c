"""Read written field files back (one process, any machine): for figures and tests."""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_fields", "field_times"]


def read_fields(results: str | Path, index: int = -1):
    """The field output of time entry ``index`` (last by default) as one pyvista UnstructuredGrid.

    Pieces written by different MPI ranks are merged; ghost cells are removed.
    """
    import pyvista as pv

    reader = pv.get_reader(str(Path(results) / "fields.pvd"))
    times = list(reader.time_values)
    reader.set_active_time_value(times[index])
    data = reader.read()
    while isinstance(data, pv.MultiBlock):
        data = data.combine(merge_points=True) if len(data) > 1 else data[0]
    if "vtkGhostType" in data.cell_data:
        data = data.extract_cells(data.cell_data["vtkGhostType"] == 0)
    return data


def field_times(results: str | Path) -> list[float]:
    """The time values of the field output (1, 2, ... in load-path order)."""
    import pyvista as pv

    return list(pv.get_reader(str(Path(results) / "fields.pvd")).time_values)
