"""A field time entry prepared for off-screen pyvista rendering (points in um, stresses in MPa, octant
cut), and the plotter helpers every 3D figure and the animation share: window, colour maps,
scalar bar, camera and decorations."""

from __future__ import annotations

import numpy as np

from .data import cell_centroids, cell_volumes, weighted_quantile
from .data import tets as tet_nodes

__all__ = ["WINDOW", "SEQUENTIAL", "DIVERGING", "PHASE_COLOURS", "TEXT", "offscreen_pyvista", "Scene",
           "new_plotter", "scalar_bar_args", "set_camera", "decorate"]

WINDOW = (1400, 1050)
SEQUENTIAL = "viridis"
DIVERGING = "RdBu_r"  # red = tension (+), blue = compression (-)
PHASE_COLOURS = ["#d95f02", "#b3b3b3", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"]
TEXT = "black"


def offscreen_pyvista():
    """pyvista, set to render off screen."""
    import pyvista as pv

    pv.OFF_SCREEN = True
    return pv


class Scene:
    """A field time entry prepared for rendering: points in micrometres, stresses in MPa, octant cut."""

    def __init__(self, grid, phase_names: list[str], window: tuple[int, int] = WINDOW):
        pv = offscreen_pyvista()
        self.window = tuple(window)
        g = grid.copy(deep=False)
        g.points = np.asarray(grid.points) * 1e6
        for name in ("von_mises", "hydrostatic", "max_principal"):
            if f"{name}_Pa" in grid.cell_data:
                g.cell_data[f"{name}_MPa"] = np.asarray(grid.cell_data[f"{name}_Pa"]) / 1e6
        if "displacement" in grid.point_data:
            g.point_data["displacement_um"] = np.asarray(grid.point_data["displacement"]) * 1e6
        self.grid = g
        self.phase_names = phase_names
        b = np.array(g.bounds).reshape(3, 2)
        self.lo, self.hi = b[:, 0], b[:, 1]
        self.centre = 0.5 * (self.lo + self.hi)
        self.size = float(np.max(self.hi - self.lo))
        self.volumes = cell_volumes(grid)  # m3
        self.cut = self._octant_cut(pv)

    def _octant_cut(self, pv):
        """Surface of the body without the octant at the max corner, with planar cut faces."""
        g, c = self.grid, self.centre
        tol = 1e-9 * self.size
        tets = tet_nodes(g)
        if tets is None:  # general cells: keep whole cells by centroid
            keep = ~np.all(cell_centroids(g) > c, axis=1)
            return g.extract_cells(keep).extract_surface(algorithm="dataset_surface")
        above = (np.asarray(g.points) > c + tol)[tets]  # (n, 4, 3): vertex beyond the cut plane, per axis
        # a tet misses the octant if all its vertices are on the near side of one cut plane
        whole = np.any(~np.any(above, axis=1), axis=1)
        cross = ~whole & ~np.all(above, axis=(1, 2))
        parts = [g.extract_cells(whole)]
        if np.any(cross):
            bounds = [c[0], self.hi[0] + 1, c[1], self.hi[1] + 1, c[2], self.hi[2] + 1]
            clipped = g.extract_cells(cross).clip_box(bounds, invert=True, crinkle=False)
            if clipped.n_cells:
                parts.append(clipped)
        body = parts[0] if len(parts) == 1 else pv.merge(parts, merge_points=False)
        return body.extract_surface(algorithm="dataset_surface")

    def phase_mask(self, phases: list[str]) -> np.ndarray:
        ids = [self.phase_names.index(p) for p in phases if p in self.phase_names]
        pid = np.rint(np.asarray(self.grid.cell_data["phase_id"])).astype(int)
        return np.isin(pid, ids)

    def field_quantile_abs(self, array: str, q: float = 0.99) -> float:
        v = np.abs(np.asarray(self.grid.cell_data[array]))
        return weighted_quantile(v, self.volumes, q)


def new_plotter(pv, size=WINDOW):
    pl = pv.Plotter(off_screen=True, window_size=list(size), lighting="light_kit")
    pl.set_background("white")
    return pl


def scalar_bar_args(title: str, fmt: str = "%.0f", **kw) -> dict:
    args = dict(title=title, vertical=True, position_x=0.84, position_y=0.12, width=0.07, height=0.72,
                fmt=fmt, n_labels=5, color=TEXT, title_font_size=18, label_font_size=16, bold=False)
    args.update(kw)
    return args


def set_camera(pl, scene: Scene, zoom: float = 1.0) -> None:
    c = scene.centre
    d = np.array([1.0, 0.78, 0.62])
    d /= np.linalg.norm(d)
    pl.camera_position = [tuple(c + 3.2 * scene.size * d), tuple(c), (0.0, 0.0, 1.0)]
    pl.camera.view_angle = 18.0  # mild perspective: the cut faces keep their shape
    pl.reset_camera()
    pl.camera.zoom(0.92 * zoom)


def decorate(pl, pv, scene: Scene, title: str, note: str | None) -> None:
    pl.add_mesh(pv.Box(bounds=[scene.lo[0], scene.hi[0], scene.lo[1], scene.hi[1], scene.lo[2], scene.hi[2]]).outline(),
                color="#808080", line_width=1.0)
    pl.add_text(title, position="upper_edge", font_size=13, color=TEXT)
    if note:
        pl.add_text(note, position="lower_left", font_size=10, color=TEXT)
    pl.add_axes(color=TEXT, xlabel="x", ylabel="y", zlabel="z", line_width=2)
