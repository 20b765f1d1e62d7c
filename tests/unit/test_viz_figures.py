"""Figures, plots and animation from written result files (synthetic results folder, no solver).

Requirements (issue 6):
* R1 `make_figures` writes the von Mises, hydrostatic, max principal, particle/interface and deformed
  images of every step, histograms, history and microstructure plots into results/figures/, each
  listed in figures.json; no temporary files are left behind.
* R2 Images are not blank: at least 5 % of the pixels (2 % for line plots) differ from the white
  background and the image holds more than 50 distinct colours.
* R3 Colour ranges match the summary: von Mises 0 .. max over phases of p99_von_mises_Pa of the same
  step (1e-9 relative); hydrostatic symmetric about 0, +-m with m the volume-weighted 99th
  percentile of |tr(s)/3| recomputed here with output/read.py (1e-9 relative), enclosing every
  phase mean of the summary; interface opening 0 .. the summary's max_opening_m.
* R4 The deformed-shape magnification is stated and puts the largest displacement at 2-5 % of the box.
* R5 Titles name the case and the step.
* R6 Optional outputs (interfaces, microstructure) are used when present and skipped without
  error when absent.
* R7 The load path animates to a GIF with one frame per field time entry.
* R8 With particles.csv, a per-particle stress-against-size figure is made and listed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_viz_helpers import L_UM, synthetic_results  # noqa: E402

pytest.importorskip("pyvista")
pytest.importorskip("matplotlib")

SMALL = (800, 600)  # pixels: enough to judge an image, cheap to render in software


def image_stats(path: Path) -> tuple[float, int, tuple[int, int]]:
    """(fraction of non-background pixels, number of distinct colours, size)."""
    from PIL import Image

    im = Image.open(path).convert("RGB")
    a = np.asarray(im).reshape(-1, 3).astype(np.int32)
    non_bg = np.mean(np.any(a < 247, axis=1))
    packed = (a[:, 0] << 16) | (a[:, 1] << 8) | a[:, 2]
    return float(non_bg), len(np.unique(packed)), im.size


def assert_not_blank(path: Path, min_fraction: float = 0.05) -> None:
    frac, colours, _ = image_stats(path)
    assert frac > min_fraction, f"{path.name}: only {frac:.1%} non-background pixels"
    assert colours > 50, f"{path.name}: only {colours} colours"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from stressfem.viz.figures import make_figures

    case = tmp_path_factory.mktemp("synthetic")
    res = synthetic_results(case)
    entries = make_figures(case, window=SMALL)
    return case, res, entries


def _manifest(res: Path) -> dict:
    return json.loads((res / "figures" / "figures.json").read_text())


def test_images_listed_and_not_blank(synthetic):
    case, res, entries = synthetic
    man = _manifest(res)
    kinds = {(e.get("step"), e["kind"]) for e in man["figures"]}
    for step in ("cooldown", "charge"):
        for kind in ("von_mises", "hydrostatic", "max_principal", "interface_damage", "interface_opening",
                     "deformed", "histograms"):
            assert (step, kind) in kinds, f"missing {kind} of {step}"
    assert (None, "history") in kinds and (None, "microstructure") in kinds
    for e in man["figures"]:
        assert (res / "figures" / e["file"]).is_file()
        # line plots are mostly white paper; 3D views fill the frame
        assert_not_blank(res / "figures" / e["file"], 0.02 if e["kind"] in ("history", "histograms") else 0.05)
    assert not list((res / "figures").glob(".*tmp*")), "temporary files left behind"
    for e in man["figures"]:
        if e["kind"] in ("von_mises", "hydrostatic", "deformed"):
            assert image_stats(res / "figures" / e["file"])[2] == (e["width"], e["height"])


def test_colour_ranges_match_summary(synthetic):
    from stressfem.output.read import read_fields
    from stressfem.viz.data import cell_volumes, weighted_quantile

    case, res, _ = synthetic
    summary = json.loads((res / "summary.json").read_text())
    man = _manifest(res)
    checked = 0
    for e in man["figures"]:
        if "step_index" not in e:
            continue
        step = summary["steps"][e["step_index"]]
        if e["kind"] == "von_mises":
            want = max(p["p99_von_mises_Pa"] for p in step["phases"].values()) / 1e6
            assert e["clim_MPa"][0] == 0.0
            assert e["clim_MPa"][1] == pytest.approx(want, rel=1e-9)
            checked += 1
        elif e["kind"] == "hydrostatic":
            grid = read_fields(res, e["field_index"])
            h = np.abs(np.asarray(grid.cell_data["hydrostatic_Pa"])) / 1e6
            m = weighted_quantile(h, cell_volumes(grid), 0.99)
            assert e["clim_MPa"] == pytest.approx([-m, m], rel=1e-9)
            for p in step["phases"].values():
                assert abs(p["mean_hydrostatic_Pa"] / 1e6) <= m * (1 + 1e-9)
            checked += 1
        elif e["kind"] == "interface_opening":
            want = max(i["max_opening_m"] for i in step["interfaces"].values()) * 1e9
            assert e["clim_nm"][1] == pytest.approx(want, rel=1e-9)
            checked += 1
    assert checked == 6


def test_magnification_and_titles(synthetic):
    case, res, _ = synthetic
    for e in _manifest(res)["figures"]:
        if "step" in e and e["kind"] != "histograms":
            assert case.name in e["title"] and e["step"] in e["title"], e["title"]
        if e["kind"] == "deformed":
            share = e["magnification"] * e["max_displacement_m"] / (L_UM * 1e-6)
            assert 0.02 <= share <= 0.05 + 1e-12
            assert f"x{e['magnification']:g}" in e["title"]


def test_optional_outputs_absent(tmp_path):
    from stressfem.viz.figures import make_figures

    res = synthetic_results(tmp_path, n=8, interfaces=False, microstructure=False)
    (res / "history.csv").unlink()
    kinds = {e["kind"] for e in make_figures(tmp_path, steps="last", window=SMALL)}
    assert "particles" in kinds and "von_mises" in kinds
    assert not kinds & {"interface_damage", "interface_opening", "microstructure", "history"}


def test_plots_without_field_output(tmp_path):
    from stressfem.viz.figures import make_figures

    res = synthetic_results(tmp_path, n=6)
    for f in res.glob("fields*"):
        f.unlink()
    kinds = {e["kind"] for e in make_figures(tmp_path)}
    assert kinds == {"history", "microstructure"}


def test_animation_gif(synthetic):
    from PIL import Image

    from stressfem.viz.animation import make_animation

    case, res, _ = synthetic
    e = make_animation(case, field="von_mises", fmt="gif")
    gif = res / "figures" / e["file"]
    with Image.open(gif) as im:
        assert im.n_frames == 2
    assert e["frames"] == 2 and e["clim_MPa"][0] == 0.0
    assert e["file"] in {x["file"] for x in _manifest(res)["figures"]}


def test_animation_mp4(synthetic):
    """MP4 through the ffmpeg bundled by imageio-ffmpeg (a dependency of the plot extra)."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    from stressfem.viz.animation import make_animation

    case, res, _ = synthetic
    e = make_animation(case, field="hydrostatic", fmt="mp4", fps=2.0)
    mp4 = res / "figures" / e["file"]
    assert mp4.suffix == ".mp4" and mp4.read_bytes()[4:8] == b"ftyp"  # ISO base media file
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(mp4))
    assert frames == 2 == e["frames"] and seconds == pytest.approx(1.0, abs=0.05)  # 2 frames at 2 fps
    assert e["file"] in {x["file"] for x in _manifest(res)["figures"]}


def test_step_selection_errors(synthetic):
    from stressfem.errors import OutputError
    from stressfem.viz.data import ResultsData
    from stressfem.viz.figures import select_steps

    case, _, _ = synthetic
    d = ResultsData(case)
    assert select_steps(d, "charge") == [1] and select_steps(d, "1,charge") == [0, 1]
    with pytest.raises(OutputError, match="no step 'nope'"):
        select_steps(d, "nope")
    with pytest.raises(OutputError, match="no finished run"):
        ResultsData(case / "missing")


def test_particle_size_figure(tmp_path):
    """R8 With results/particles.csv, a per-particle figure (p99 of sigma_1 and mean hydrostatic stress
    against equivalent diameter, last step, particle phases only) is made and listed."""
    from stressfem.viz.figures import make_figures

    res = synthetic_results(tmp_path, n=6)
    for f in res.glob("fields*"):
        f.unlink()
    header = ("step,id,phase,volume_m3,centroid_x_m,centroid_y_m,centroid_z_m,equivalent_diameter_m,cut,"
              "mean_hydrostatic_Pa,mean_von_mises_Pa,p99_max_principal_Pa")
    rows = [f"charge,{k},NMC811,1e-17,0,0,0,{(3 + k) * 1e-6},{k % 2},{-100e6 * k},1e8,{50e6 * k}" for k in range(4)]
    rows.append("charge,LLZO,LLZO,1e-15,0,0,0,1e-5,1,1e7,1e8,2e8")
    (res / "particles.csv").write_text("\n".join([header, *rows]) + "\n")
    entries = make_figures(tmp_path)
    sizes = [e for e in entries if e["kind"] == "particle_sizes"]
    assert len(sizes) == 1 and (res / "figures" / sizes[0]["file"]).is_file()
    assert "charge" in sizes[0]["caption"]
