#!/usr/bin/env bash
# Install BeatMap into ./.venv: its Python packages and the map assets it serves itself.
#   ./install.sh          the app
#   ./install.sh --test   the app and what its tests need
# Needs Python 3.11 and Node.js with npm (for Leaflet from the npm registry); no other download.
set -euo pipefail
cd "$(dirname "$0")"
extras=""
if [ "${1:-}" = "--test" ]; then extras="[test]"; fi
python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".${extras}"
.venv/bin/python scripts/install_assets.py
# compile the route solver now (numba's on-disk cache), not on the first officer's request
.venv/bin/python -c "from geo.routing import warm_up; print(f'route solver compiled in {warm_up():.1f} s')"
echo "BeatMap installed in $(pwd)/.venv"
