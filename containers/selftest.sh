#!/bin/sh
# Self-test of an installed stressfem (the image's %test, and CI after containers/install.sh):
# the CLI, a small case serially and on 2 MPI ranks (same results), a sweep and a SLURM script.
#
# usage: containers/selftest.sh [VENV]   (default: the stressfem found on PATH)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    bin="$1/bin"
else
    bin=$(dirname "$(command -v stressfem)")
fi
export UCX_TLS="${UCX_TLS:-self,sm,tcp}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/serial" "$work/mpi"
cp "$src/containers/selftest/case.toml" "$work/serial/"
cp "$src/containers/selftest/case.toml" "$work/mpi/"
"$bin/python" -c "from stressfem.verification.concentric_spheres import write_octant_msh as w
w('$work/serial/octant.msh', a=1.0, b=3.0, size=0.6, interface_size=0.3)"
cp "$work/serial/octant.msh" "$work/mpi/"

"$bin/stressfem" --help >/dev/null
"$bin/stressfem" materials >/dev/null
"$bin/stressfem" check "$work/serial"
"$bin/stressfem" run "$work/serial" >"$work/serial.log" 2>&1 || { cat "$work/serial.log"; exit 1; }
if grep -q "figures failed" "$work/serial.log"; then  # off-screen rendering needs the image's GL libraries
    cat "$work/serial.log"; echo "selftest: the figures after the run failed" >&2; exit 1
fi
STRESSFEM_NO_PLOT=1 "$bin/mpiexec" -n 2 "$bin/stressfem" run "$work/mpi" >"$work/mpi.log" 2>&1 || { cat "$work/mpi.log"; exit 1; }
"$bin/python" - "$work" <<'PY'
import json, sys
from pathlib import Path
w = Path(sys.argv[1])
s, p = (json.loads((w / d / "results" / "summary.json").read_text()) for d in ("serial", "mpi"))
assert (s["mpi_ranks"], p["mpi_ranks"]) == (1, 2), (s["mpi_ranks"], p["mpi_ranks"])
assert s["dofs"] == p["dofs"] > 0
for phase, a in s["steps"][-1]["phases"].items():
    b = p["steps"][-1]["phases"][phase]
    rel = abs(a["mean_hydrostatic_Pa"] - b["mean_hydrostatic_Pa"]) / abs(a["mean_hydrostatic_Pa"])
    assert rel < 1e-6, (phase, rel)
    print(f"selftest: {phase}: mean hydrostatic {a['mean_hydrostatic_Pa'] / 1e6:.1f} MPa (1 and 2 ranks agree to {rel:.0e})")
PY
printf 'mode = "product"\n[parameters]\n"stages[0].final_temperature_C" = [25.0, -20.0]\n' >"$work/sweep.toml"
"$bin/stressfem" sweep "$work/serial" "$work/sweep.toml" --dry-run >/dev/null
"$bin/stressfem" slurm "$work/serial" "$work/mpi" --ntasks 2 -o "$work/job.sbatch" >/dev/null
grep -q -- '--array=0-1' "$work/job.sbatch"
echo "selftest: passed"
