"""Exports: CSV for Norwegian Excel, GeoJSON per RFC 7946, and the CLI around them.
(Every format and column in detail: test_exports_full.py.)"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from consultations.outputs.export import Format, columns, export
from consultations.model import InputDraft
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW


def _inputs(store, consultation):
    submit_input(store, consultation.id, InputDraft("Annet", "Et punkt i kartet her.", *INSIDE), session="a", now=NOW)
    submit_input(
        store,
        consultation.id,
        InputDraft("Gange og sykkel", '=HYPERLINK("http://x";"klikk") og «æøå»; semikolon', whole_area=True),
        session="b",
        now=NOW,
    )


def to_csv(store, consultation):
    _inputs(store, consultation)
    return export(store, consultation.id, Format.CSV)


def to_geojson(store, consultation):
    _inputs(store, consultation)
    return export(store, consultation.id, Format.GEOJSON)


def test_csv_opens_in_norwegian_excel(store, consultation):
    data = to_csv(store, consultation)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads æøå right
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == columns(consultation)
    assert len(rows) == 2
    assert rows[0]["lat"] == str(INSIDE[0]) and rows[0]["ost_25832"]
    assert rows[1]["lat"] == "" and rows[1]["referanse"].startswith("KI-")
    assert "«æøå»; semikolon" in rows[1]["tekst"]


def test_csv_cells_never_start_a_formula(store, consultation):
    rows = list(csv.reader(io.StringIO(to_csv(store, consultation).decode("utf-8-sig")), delimiter=";"))
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "@")) for cell in row)
    assert rows[2][columns(consultation).index("tekst")].startswith("'=HYPERLINK")


def test_geojson_follows_rfc_7946(store, consultation):
    doc = json.loads(to_geojson(store, consultation))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    point, whole = doc["features"]
    assert point["geometry"] == {"type": "Point", "coordinates": [INSIDE[1], INSIDE[0]]}  # lon, lat
    assert whole["geometry"] is None  # "gjelder hele området": kept, without a location
    assert point["properties"]["kategori"] == "Annet"


def _cli(db_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "consultations", *args],
        env={"KARTINNSPILL_DB": str(db_path)},
        capture_output=True,
    )


def test_cli_exports_to_a_file_and_to_stdout(store, consultation, db_path, tmp_path):
    _inputs(store, consultation)
    store.close()
    out = tmp_path / "innspill.geojson"
    result = _cli(db_path, "export", "--consultation", consultation.id, "--format", "geojson", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(out.read_text("utf-8"))["features"]) == 2
    result = _cli(db_path, "export", "--consultation", consultation.id, "--format", "csv", "--out", "-")
    assert result.returncode == 0
    assert result.stdout.decode("utf-8-sig").count("\n") == 3


def test_cli_export_of_unknown_consultation_is_refused(store, db_path):
    store.close()
    result = _cli(db_path, "export", "--consultation", "nope", "--format", "csv", "--out", "-")
    assert result.returncode == 2 and "nope" in result.stderr.decode()
