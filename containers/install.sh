#!/bin/sh
# Install stressfem with all its dependencies into a new virtual environment VENV.
# The Apptainer recipe (containers/stressfem.def, %post) runs this, and so does CI
# (scripts/ci.d/20-container.sh) on a clean temporary folder: a broken install fails CI.
#
# usage: containers/install.sh [--image] VENV
#   --image   building an image: first install the shared libraries of containers/apt-packages.txt
#             (Debian, as root), and keep no pip or apt caches
#   PYTHON    the interpreter for the venv (default: what scripts/find-python finds, >= 3.12)
#   STRESSFEM_EXTRAS  optional dependency groups to include (default: plot)
set -eu
image=0
if [ "${1:-}" = "--image" ]; then image=1; shift; fi
if [ $# -ne 1 ]; then echo "usage: $0 [--image] VENV" >&2; exit 2; fi
venv=$1
src=$(cd "$(dirname "$0")/.." && pwd)
extras=${STRESSFEM_EXTRAS-plot}

if [ "$image" = 1 ]; then
    export PIP_NO_CACHE_DIR=1 DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2046 # one package name per line, no spaces
    apt-get install -y -q --no-install-recommends $(grep -v '^#' "$src/containers/apt-packages.txt")
    rm -rf /var/lib/apt/lists/*
fi

python=${PYTHON:-$(sh "$src/scripts/find-python")}
echo "install.sh: $("$python" --version) -> $venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip

# Build from a copy, so that the source tree gets no build/ or egg-info folders.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cp "$src/pyproject.toml" "$src/README.md" "$build/"
cp -R "$src/stressfem" "$build/stressfem"
find "$build" -name '__pycache__' -prune -exec rm -rf {} +
rm -rf "$build/stressfem.egg-info"
target=$build
if [ -n "$extras" ]; then target="$build[$extras]"; fi
"$venv/bin/python" -m pip install --quiet "$target"

# Every compiled dependency loads: Gmsh (libgmsh and its X/GL libraries), MPI, PETSc, DOLFINx.
"$venv/bin/python" -c '
import gmsh, tomli_w
import stressfem._dolfinx as d
from mpi4py import MPI
from importlib.metadata import version
print("install.sh: stressfem", version("stressfem"), "| DOLFINx", d.dolfinx.__version__,
      "| gmsh", gmsh.__version__, "|", MPI.Get_library_version().splitlines()[0])
'
"$venv/bin/stressfem" --help >/dev/null
test -x "$venv/bin/mpiexec"
echo "install.sh: done"
