"""Self-hosted map assets: installed from PyPI packages into ``static/vendor``.

Streamlit serves ``static/`` at ``/app/static/`` (server.enableStaticServing), so no
resident's browser ever asks a CDN for Leaflet and the map works without internet.

Most files come from XStatic packages installed in the venv. leaflet.draw has no XStatic
package; its files are taken from the wheel of a PyPI package that bundles them (see
``LEAFLET_DRAW``), downloaded with pip without its dependencies and never installed.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"
VENDOR = STATIC / "vendor"
URL_PREFIX = "/app/static/vendor"


@dataclass(frozen=True)
class Asset:
    package: str  # XStatic module under xstatic.pkg
    folder: str  # target folder under static/vendor
    files: tuple[str, ...]  # paths inside the package's data directory

    def url(self, file: str) -> str:
        return f"{URL_PREFIX}/{self.folder}/{file}"


LEAFLET = Asset(
    "leaflet",
    "leaflet",
    (
        "leaflet.js",
        "leaflet.css",
        "images/layers.png",
        "images/layers-2x.png",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    ),
)
MARKERCLUSTER = Asset(
    "leaflet_markercluster",
    "leaflet.markercluster",
    ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
)
JQUERY = Asset("jquery", "jquery", ("jquery.min.js",))
# Two-finger pan on phones, Ctrl+scroll to zoom: the page still scrolls over the map.
GESTURE_HANDLING = Asset(
    "leaflet_gesturehandling",
    "leaflet-gesture-handling",
    ("leaflet-gesture-handling.min.js", "leaflet-gesture-handling.min.css"),
)
ASSETS = (LEAFLET, MARKERCLUSTER, JQUERY, GESTURE_HANDLING)


@dataclass(frozen=True)
class WheelAsset:
    """Static files taken out of a pinned PyPI wheel that is downloaded, not installed."""

    name: str  # PyPI project
    version: str  # exact; also pinned in the Makefile and named in pyproject.toml
    sha256: str  # of the wheel file
    prefix: str  # folder inside the wheel
    folder: str  # target folder under static/vendor
    files: tuple[str, ...]  # paths under prefix

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"

    def url(self, file: str) -> str:
        return f"{URL_PREFIX}/{self.folder}/{file}"

    def wheel(self, wheels: Path) -> Path | None:
        found = sorted(wheels.glob(f"{self.name.replace('-', '_')}-{self.version}-*.whl"))
        return found[0] if found else None


# Leaflet.draw 1.0.4 (MIT, (c) Jacob Toye, Jon West, Smartrak, Leaflet), as bundled in
# django-leaflet's static files; folium.plugins.Draw expects 1.0.2 from a CDN, 1.0.4 is the
# last 1.0.x bug-fix release. django-leaflet itself (LGPL-3.0) and Django are not installed:
# only these MIT files are copied out of its wheel.
LEAFLET_DRAW = WheelAsset(
    name="django-leaflet",
    version="0.34.0",
    sha256="367f74c63709c1b466b740e0e7bd50cdc0d76f08cab2d6566af1559818d79cc2",
    prefix="leaflet/static/leaflet/draw/",
    folder="leaflet.draw",
    files=(
        "leaflet.draw.js",
        "leaflet.draw.css",
        "images/spritesheet.png",
        "images/spritesheet-2x.png",
        "images/spritesheet.svg",
    ),
)
WHEEL_ASSETS = (LEAFLET_DRAW,)

# Where `make setup` downloads the wheels (.venv/asset-wheels); install() fetches a missing
# one there itself with the same pip command.
WHEELS = Path(sys.prefix) / "asset-wheels"


def missing(vendor: Path = VENDOR) -> list[str]:
    """Asset files the app needs that are not installed."""
    return [
        f"{a.folder}/{f}" for a in (*ASSETS, *WHEEL_ASSETS) for f in a.files if not (vendor / a.folder / f).exists()
    ]


def fetch_wheel(asset: WheelAsset, wheels: Path = WHEELS) -> Path:
    """The asset's wheel, downloaded with pip (no dependencies) unless already there,
    checked against its pinned SHA-256."""
    wheel = asset.wheel(wheels)
    if wheel is None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(wheels),
                asset.requirement,
            ],
            check=True,
        )
        wheel = asset.wheel(wheels)
        if wheel is None:
            raise RuntimeError(f"pip download {asset.requirement} left no wheel in {wheels}")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != asset.sha256:
        raise RuntimeError(f"{wheel.name}: SHA-256 {digest}, expected {asset.sha256}; delete it and retry")
    return wheel


def install(vendor: Path = VENDOR, wheels: Path = WHEELS) -> int:
    """Copy every asset from its installed XStatic package or its pinned wheel; returns the
    number of files."""
    count = 0
    for asset in ASSETS:
        source = Path(importlib.import_module(f"xstatic.pkg.{asset.package}").BASE_DIR)
        for file in asset.files:
            target = vendor / asset.folder / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / file, target)
            count += 1
    for wheel_asset in WHEEL_ASSETS:
        with zipfile.ZipFile(fetch_wheel(wheel_asset, wheels)) as archive:
            for file in wheel_asset.files:
                target = vendor / wheel_asset.folder / file
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(wheel_asset.prefix + file))
                count += 1
    (vendor / ".installed").touch()
    return count
