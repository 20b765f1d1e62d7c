#!/bin/sh
# CI step: the Apptainer recipe's install and test steps on a clean environment.
# Apptainer cannot run on the build machines, so this runs the recipe's own %post and %test
# commands (containers/stressfem.def) outside it, with the image paths mapped to a fresh
# temporary folder: /opt/stressfem/src -> this checkout, /opt/stressfem/venv -> a new venv.
# It also checks that the recipe's base image, %files sources and %runscript are sound.
# A broken recipe, install.sh or selftest.sh fails CI. About 1-2 minutes.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
def=containers/stressfem.def
fail() { echo "20-container: $*" >&2; exit 1; }

[ -f "$def" ] || fail "$def is missing"
grep -qx 'Bootstrap: docker' "$def" || fail "$def: expected 'Bootstrap: docker'"
grep -Eqx 'From: (docker\.io/(library/)?)?python:3\.12[-.a-z0-9]*-(bookworm|trixie)' "$def" \
    || fail "$def: the base image must be a Debian-based Python 3.12 image (python:3.12-slim-bookworm)"

# body of a %section: the lines after its header up to the next %header
section() { awk -v s="%$1" '/^%[a-z]+/ { on = ($1 == s); next } on' "$def"; }

section files | while read -r from to; do
    [ -n "$from" ] || continue
    [ -e "$from" ] || fail "%files: $from does not exist (build from the repository root)"
done
section runscript | grep -q 'stressfem' || fail "%runscript must run the stressfem CLI"
post=$(section post)
test_=$(section test)
echo "$post" | grep -q 'containers/install.sh' || fail "%post must call containers/install.sh"
echo "$test_" | grep -q 'containers/selftest.sh' || fail "%test must call containers/selftest.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
map() { sed -e "s#/opt/stressfem/src#$root#g" -e "s#/opt/stressfem/venv#$tmp/venv#g"; }
# --image (apt-get install, no caches) is for the image only: here, check that apt knows every
# package of the list (this machine is Debian bookworm like the base image) instead of installing.
post=$(echo "$post" | sed 's/ --image / /')
if command -v apt-cache >/dev/null 2>&1; then
    pkgs=$(grep -v '^#' containers/apt-packages.txt)
    # shellcheck disable=SC2086
    if ! apt-cache show $pkgs >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then apt-get update -q >/dev/null; fi
    for p in $pkgs; do
        apt-cache show "$p" >/dev/null 2>&1 || fail "containers/apt-packages.txt: unknown Debian package $p"
    done
else
    echo "20-container: no apt-cache here: the apt package list is not checked"
fi
PYTHON=${PYTHON:-$(sh scripts/find-python)}
export PYTHON
start=$(date +%s)
echo "== %post (mapped)"
echo "$post" | map | sh -eu
echo "== %test (mapped)"
echo "$test_" | map | sh -eu
echo "20-container: recipe install and self-test passed in $(( $(date +%s) - start )) s"
