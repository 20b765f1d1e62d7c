"""Animate the load path: one frame per field time entry (stage ends, or every increment when the
case sets ``[output] fields_every_increment = true``), as GIF (Pillow) or MP4 (ffmpeg).

The colour range is fixed over all frames (from the largest frame) so colours compare between frames;
each frame is labelled with its stage, increment, temperature and state of charge when known.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time

import numpy as np

from ..errors import OutputError
from .data import ResultsData, atomic_target, sentence_start, update_manifest

__all__ = ["make_animation", "FIELDS"]

log = logging.getLogger(__name__)

FIELDS = ("hydrostatic", "von_mises", "max_principal")
SIZE = (960, 720)


def _frame_label(data: ResultsData, k: int, row: int | None) -> str:
    h = data.history
    if row is None or not h:
        return f"field entry {k + 1}"
    parts = [f"{h['stage'][row]} increment {int(h['increment'][row])}" if "increment" in h else str(h["stage"][row])]
    if "temperature_K" in h and np.isfinite(h["temperature_K"][row]):
        parts.append(f"{h['temperature_K'][row] - 273.15:.0f} °C")
    if "soc" in h and np.isfinite(h["soc"][row]):
        parts.append(f"SOC {h['soc'][row]:.2f}")
    return ", ".join(parts)


def _ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:
        return shutil.which("ffmpeg")


def make_animation(case_or_results, field: str = "hydrostatic", fmt: str = "gif", fps: float = 2.0) -> dict:
    """Render the load path of a finished run to CASE/results/figures/animation-<field>.<fmt>."""
    from .scene import (DIVERGING, SEQUENTIAL, Scene, decorate, new_plotter, offscreen_pyvista, scalar_bar_args,
                        set_camera)

    if field not in FIELDS:
        raise OutputError(f"animation field must be one of {', '.join(FIELDS)}, not {field!r}")
    if fmt not in ("gif", "mp4"):
        raise OutputError(f"animation format must be gif or mp4, not {fmt!r}")
    ffmpeg = _ffmpeg() if fmt == "mp4" else None
    if fmt == "mp4" and ffmpeg is None:
        raise OutputError("MP4 needs ffmpeg (on PATH, or `pip install imageio-ffmpeg`); use --animate gif")
    data = ResultsData(case_or_results)
    n = len(data.field_entries())
    if n < 2:
        raise OutputError(f"the run wrote {n} field time entr{'y' if n == 1 else 'ies'}; an animation needs "
                          "two or more: set `[output] fields_every_increment = true` or add load stages")
    t0 = time.perf_counter()
    pv = offscreen_pyvista()
    rows = data.entry_history_rows()
    cuts, scene = [], None
    arr = f"{field}_MPa"
    for k in range(n):
        grid = data.read_field(k, {f"{field}_Pa", "phase_id"})
        scene = Scene(grid, data.phase_names)
        if arr not in scene.cut.cell_data:
            raise OutputError(f"field entry {k + 1} has no {field}_Pa")
        cuts.append((scene.cut, scene.field_quantile_abs(arr)))
    m = max(q for _, q in cuts) or 1.0
    clim = [0.0, m] if field == "von_mises" else [-m, m]
    cmap = SEQUENTIAL if field == "von_mises" else DIVERGING
    title_field = {"hydrostatic": "hydrostatic stress", "von_mises": "von Mises stress",
                   "max_principal": "max principal stress"}[field]
    bar_title = f"{title_field.split(' stress')[0]} (MPa)" + ("" if field == "von_mises" else "\n+ tension / - compression")
    frames = []
    for k, (cut, _) in enumerate(cuts):
        pl = new_plotter(pv, SIZE)
        pl.add_mesh(cut, scalars=arr, preference="cell", cmap=cmap, clim=clim,
                    annotations=None if field == "von_mises" else {m: "tension", -m: "compression"},
                    scalar_bar_args=scalar_bar_args(bar_title, title_font_size=14, label_font_size=12))
        decorate(pl, pv, scene, f"{data.case_name}: {title_field}\n{_frame_label(data, k, rows[k])}",
                  f"frame {k + 1}/{n}; colour range fixed over all frames")
        set_camera(pl, scene)
        frames.append(np.asarray(pl.screenshot(return_img=True))[:, :, :3].copy())
        pl.close()
    out = data.figures / f"animation-{field.replace('_', '-')}.{fmt}"
    data.figures.mkdir(exist_ok=True)
    with atomic_target(out) as tmp:
        if fmt == "gif":
            from PIL import Image

            imgs = [Image.fromarray(f).quantize(colors=255, method=Image.Quantize.MEDIANCUT) for f in frames]
            imgs[0].save(tmp, save_all=True, append_images=imgs[1:], duration=int(1000 / fps), loop=0,
                         optimize=False)
        else:
            h, w = frames[0].shape[:2]
            h2, w2 = h - h % 2, w - w % 2
            cmd = [ffmpeg, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w2}x{h2}",
                   "-r", str(fps), "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "mp4", str(tmp)]
            proc = subprocess.run(cmd, input=b"".join(f[:h2, :w2].tobytes() for f in frames), capture_output=True)
            if proc.returncode != 0:
                raise OutputError(f"ffmpeg failed: {proc.stderr.decode(errors='replace')[-500:]}")
    entry = {"file": out.name, "kind": "animation", "field": f"{field}_Pa", "format": fmt, "frames": n,
             "fps": fps, "clim_MPa": clim, "colormap": cmap, "width": SIZE[0], "height": SIZE[1],
             "clim_source": "field: largest over frames of the volume-weighted 99th percentile of the magnitude",
             "title": f"{data.case_name}: {title_field} along the load path",
             "caption": f"{sentence_start(title_field)} over the load path ({n} field entries), fixed colour range "
                        f"{clim[0]:.0f} to {clim[1]:.0f} MPa.",
             "render_s": round(time.perf_counter() - t0, 2)}
    update_manifest(data.figures, [entry], {"case": data.case_name, "title": data.title})
    log.info("animation %s: %d frames (%.1f s)", out, n, time.perf_counter() - t0)
    return entry
