"""Self-hosted map assets: installed from PyPI's XStatic packages into ``static/vendor``.

Streamlit serves ``static/`` at ``/app/static/`` (server.enableStaticServing), so no
resident's browser ever asks a CDN for Leaflet and the map works without internet.
"""

from __future__ import annotations

import importlib
import shutil
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
ASSETS = (LEAFLET, MARKERCLUSTER, JQUERY)


def missing(vendor: Path = VENDOR) -> list[str]:
    """Asset files the app needs that are not installed."""
    return [
        f"{a.folder}/{f}" for a in ASSETS for f in a.files if not (vendor / a.folder / f).exists()
    ]


def install(vendor: Path = VENDOR) -> int:
    """Copy every asset from its installed XStatic package; returns the number of files."""
    count = 0
    for asset in ASSETS:
        source = Path(importlib.import_module(f"xstatic.pkg.{asset.package}").BASE_DIR)
        for file in asset.files:
            target = vendor / asset.folder / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / file, target)
            count += 1
    (vendor / ".installed").touch()
    return count
