"""Install the map assets that BeatMap serves itself (Leaflet, its plugins, fonts).

Run from anywhere, with the project's Python (folium must be installed)::

    python scripts/install_assets.py            # npm ci + copy + check
    python scripts/install_assets.py --check    # only check that everything is in place

Steps:

1. ``npm ci --prefix static``: the exact versions of ``static/package-lock.json`` from the npm
   registry into ``static/node_modules`` (git-ignored).
2. Copy the files folium ships in its wheel and loads from a CDN (its patched
   ``leaflet_heat.min.js``) into ``static/vendor/folium`` (git-ignored).
3. Check that every local file :mod:`layers.assets` maps a CDN link to exists.

Nothing here fetches from a CDN; npm talks only to the configured registry.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
#: files of the folium package copied to static/vendor/folium
FOLIUM_FILES = ("templates/leaflet_heat.min.js",)


def npm_ci() -> None:
    """Install static/node_modules from the lock file."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("install_assets: npm not found; install Node.js 18+ with npm (Debian: nodejs npm)")
    cmd = [
        npm,
        "ci",
        "--prefix",
        str(STATIC),
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--omit-lockfile-registry-resolved",
        "--loglevel=error",
    ]
    print("install_assets:", " ".join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True)


def copy_folium_files() -> None:
    """Copy folium's own JavaScript files to static/vendor/folium."""
    import folium

    src_root = Path(folium.__file__).resolve().parent
    dest = STATIC / "vendor" / "folium"
    dest.mkdir(parents=True, exist_ok=True)
    for rel in FOLIUM_FILES:
        src = src_root / rel
        if not src.is_file():
            sys.exit(
                f"install_assets: {src} not found in the installed folium {folium.__version__}"
            )
        shutil.copy2(src, dest / src.name)
        print(f"install_assets: copied folium/{rel} -> {dest.relative_to(ROOT)}", flush=True)


def check() -> int:
    """Check every asset layers.assets can serve; return the number missing."""
    sys.path.insert(0, str(ROOT))
    from layers.assets import STATIC_DIR, known_assets

    assets = known_assets()
    missing = [a.path for a in assets if not a.file.is_file()]
    for path in missing:
        print(f"install_assets: MISSING {STATIC_DIR.name}/{path}", file=sys.stderr)
    if not missing:
        print(f"install_assets: ok, {len(assets)} map assets in place under {STATIC_DIR}")
    return len(missing)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, install nothing")
    args = parser.parse_args(argv)
    if not args.check:
        npm_ci()
        copy_folium_files()
    return 1 if check() else 0


if __name__ == "__main__":
    sys.exit(main())
