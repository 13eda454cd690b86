"""Every export format read back: CSV (csv module), XLSX (openpyxl), GeoJSON and GeoPackage
(pyogrio), with their columns, CRS and the inputs that have no location."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from datetime import timedelta

import openpyxl
import pyogrio
import pytest
from pyproj import Transformer

from consultations.errors import KartinnspillError
from consultations.outputs.export import Format, columns, export, parse_crs
from consultations.model import (
    Channel,
    InputDraft,
    InputStatus,
    Outcome,
    Question,
    QuestionKind,
    Response,
    SenderType,
)
from consultations.participation.submission import register_input, submit_input, support_input
from tests.conftest import INSIDE, NOW, make_consultation, staff

QUESTIONS = (
    Question("often", QuestionKind.SINGLE, "Hvor ofte er du i området?", ("Daglig", "Ukentlig")),
    Question("use", QuestionKind.MULTIPLE, "Hva bruker du området til?", ("Tur", "Handel", "Lek")),
    Question("safe", QuestionKind.SCALE, "Hvor trygt føles det?"),
    Question("more", QuestionKind.TEXT, "Status"),  # same as a column: gets a suffix
)
SENDER = "Kari Nordmann"
FORMULA = '=HYPERLINK("http://x";"klikk") og «æøå»; semikolon'


@pytest.fixture
def planned(store):
    """A consultation with questions and four inputs in every state a planner leaves them."""
    c = make_consultation(questions=QUESTIONS)
    store.add_consultation(c)
    web = submit_input(
        store,
        c.id,
        InputDraft(
            "Trafikk og trafikksikkerhet",
            "Bilene kjører for fort forbi skolen.",
            *INSIDE,
            age_group="30_49",
            relation="bor",
            answers={"often": "Daglig", "use": ["Lek", "Tur"], "safe": 2, "more": "Takk"},
        ),
        session="a",
        now=NOW,
    )
    whole = submit_input(store, c.id, InputDraft("Annet", FORMULA, whole_area=True), session="b", now=NOW)
    letter = register_input(
        store,
        c.id,
        InputDraft("Gange og sykkel", "Brev om gangvei langs Nesbruveien."),
        channel=Channel.LETTER,
        sender_type=SenderType.PRIVATE,
        sender_name=SENDER,
        received_at=NOW - timedelta(days=1),
        actor=staff(store, "planner"),
        now=NOW,
    )
    hidden = submit_input(
        store,
        c.id,
        InputDraft("Annet", "Et innspill som skjules av saksbehandler.", *INSIDE),
        session="c",
        now=NOW,
    )
    support_input(store, c.id, web.id, session="d", now=NOW)
    support_input(store, c.id, web.id, session="e", now=NOW)
    # a private person's letter waits for a planner since issue 21: published here
    store.set_input_status([letter.id], InputStatus.PUBLISHED, "planner")
    store.add_tag([web.id, letter.id], "Skolevei", "planner")
    store.add_tag([web.id], "Fart", "planner")
    store.mark_duplicate(hidden.id, web.id, "planner")
    store.set_input_status([hidden.id], InputStatus.HIDDEN, "planner", reason="Personopplysninger")
    store.save_response(
        [web.id],
        Response(0, "Ønsker fartsdemping.", "Tas inn i planen.", Outcome.PARTLY, "Ny fartshump."),
        "planner",
    )
    return c, {"web": web.id, "whole": whole.id, "letter": letter.id, "hidden": hidden.id}


def _csv(store, c, **kw) -> list[dict[str, str]]:
    data = export(store, c.id, Format.CSV, **kw)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_holds_every_input_with_labels_answers_themes_and_response(store, planned):
    c, ids = planned
    rows = {int(r["id"]): r for r in _csv(store, c)}
    assert list(next(iter(rows.values()))) == columns(c)
    assert len(rows) == 4  # hidden and unlocated ones too
    web = rows[ids["web"]]
    assert web["referanse"] == f"KI-{ids['web']:06d}"
    assert web["opprettet"] == "2026-11-27T13:00:00+01:00"  # Norwegian local time
    assert (web["status"], web["kanal"], web["aldersgruppe"]) == ("Publisert", "Nettskjema", "30–49 år")
    assert web["Hvor ofte er du i området?"] == "Daglig"
    assert web["Hva bruker du området til?"] == "Tur; Lek"  # the question's own order
    assert web["Hvor trygt føles det?"] == "2"
    assert web["Status (2)"] == "Takk"
    assert web["temaer"] == "Fart; Skolevei" and web["støtter"] == "2"
    assert (web["sammendrag"], web["vurdering"]) == ("Ønsker fartsdemping.", "Tas inn i planen.")
    assert (web["konklusjon"], web["endring_i_planen"]) == ("Delvis tatt til følge", "Ny fartshump.")
    letter = rows[ids["letter"]]
    assert (letter["kanal"], letter["avsendertype"], letter["temaer"]) == ("Brev", "Privatperson", "Skolevei")
    assert letter["lat"] == "" and letter["Hvor trygt føles det?"] == ""
    hidden = rows[ids["hidden"]]
    assert (hidden["status"], hidden["skjult_grunn"]) == ("Skjult", "Personopplysninger")
    assert hidden["duplikat_av"] == web["referanse"] and hidden["konklusjon"] == ""
    assert rows[ids["whole"]]["tekst"] == "'" + FORMULA  # never a formula, text otherwise kept


def test_csv_coordinates_follow_the_chosen_crs(store, planned):
    c, ids = planned
    to_33 = Transformer.from_crs(4326, 25833, always_xy=True)
    east, north = to_33.transform(INSIDE[1], INSIDE[0])
    web = next(r for r in _csv(store, c, crs=25833) if int(r["id"]) == ids["web"])
    assert "ost_25832" not in web
    assert float(web["ost_25833"]) == pytest.approx(east, abs=0.01)
    assert float(web["nord_25833"]) == pytest.approx(north, abs=0.01)
    assert (web["lon"], web["lat"]) == (str(INSIDE[1]), str(INSIDE[0]))  # decimal point
    wgs = _csv(store, c, crs=4326)[0]
    assert not any(k.startswith(("ost_", "nord_")) for k in wgs)


def test_sender_names_are_left_out_of_every_format_unless_asked_for(store, planned):
    c, ids = planned
    for fmt in Format:
        data = export(store, c.id, fmt)
        assert SENDER.encode() not in data, fmt
    assert "avsender" not in columns(c)
    assert SENDER not in _xlsx_text(export(store, c.id, Format.XLSX))
    named = {int(r["id"]): r for r in _csv(store, c, include_names=True)}
    assert named[ids["letter"]]["avsender"] == SENDER
    assert SENDER in _xlsx_text(export(store, c.id, Format.XLSX, include_names=True))


def _xlsx_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row)


def test_xlsx_has_the_inputs_sheet_and_the_key_figures_sheet(store, planned):
    c, ids = planned
    wb = openpyxl.load_workbook(io.BytesIO(export(store, c.id, Format.XLSX)))
    assert wb.sheetnames == ["Innspill", "Nøkkeltall", "Merknadspunkter"]  # the last: issue 21 (test_points)
    sheet = wb["Innspill"]
    header = [cell.value for cell in sheet[1]]
    assert header == columns(c)
    assert sheet.freeze_panes == "A2" and sheet[1][0].font.b
    assert sheet.max_row == 5
    assert 8 <= sheet.column_dimensions["F"].width <= 60  # tekst
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    web = rows[ids["web"]]
    assert isinstance(web["lat"], float) and isinstance(web["støtter"], int)
    assert web["Hvor trygt føles det?"] == 2 and web["konklusjon"] == "Delvis tatt til følge"
    whole = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == ids["whole"])
    formula = whole[header.index("tekst")]
    assert formula.value == FORMULA  # the text as written
    assert formula.data_type == "s" and formula.quotePrefix  # shown as text, never run

    figures = {}
    for label, *values in wb["Nøkkeltall"].iter_rows(values_only=True):
        if label is not None:
            figures.setdefault(label, values)
    assert figures["Innspill"][0] == 4
    assert figures["Støtter"][0] == 2
    assert figures["Innspill med stedfesting"][0] == 2 and figures["Andel med stedfesting"][0] == "50 %"
    assert figures["Skjult"][0] == 1 and figures["Publisert"][0] == 3
    assert figures["Brev"][0] == 1 and figures["Nettskjema"][0] == 3
    assert figures["Annet"][:2] == [2, 0]  # category: inputs, supports
    assert figures["Trafikk og trafikksikkerhet"][:2] == [1, 2]
    assert figures["Delvis tatt til følge"][0] == 1 and figures["Ikke behandlet"][0] == 3


def test_geojson_is_wgs84_with_null_geometry_for_whole_area_inputs(store, planned, tmp_path):
    c, ids = planned
    path = tmp_path / "innspill.geojson"
    path.write_bytes(export(store, c.id, Format.GEOJSON, crs=25833))  # crs: ignored
    doc = json.loads(path.read_text("utf-8"))
    assert "crs" not in doc and len(doc["features"]) == 4
    by_id = {f["id"]: f for f in doc["features"]}
    assert by_id[ids["web"]]["geometry"]["coordinates"] == [INSIDE[1], INSIDE[0]]
    assert by_id[ids["whole"]]["geometry"] is None
    assert "ost_25833" not in by_id[ids["web"]]["properties"]
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326" and info["features"] == 4
    frame = pyogrio.read_dataframe(path)
    assert frame.geometry.isna().sum() == 2
    assert set(frame["konklusjon"].dropna()) == {"Delvis tatt til følge"}


@pytest.mark.parametrize("crs", [25832, 25833, 4326])
def test_geopackage_has_a_layer_per_geometry_type_in_the_crs_and_a_table_for_the_rest(store, planned, tmp_path, crs):
    c, ids = planned
    path = tmp_path / "innspill.gpkg"
    path.write_bytes(export(store, c.id, Format.GPKG, crs=crs))
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert layers == {
        "innspill_punkt": "Point",
        "innspill_linje": "LineString",
        "innspill_flate": "Polygon",
        "innspill_uten_sted": None,
    }
    info = pyogrio.read_info(path, layer="innspill_punkt")
    assert info["crs"] == f"EPSG:{crs}" and info["features"] == 2
    for empty in ("innspill_linje", "innspill_flate"):  # no drawings here: empty, typed, in the CRS
        assert pyogrio.read_info(path, layer=empty)["features"] == 0
        assert pyogrio.read_info(path, layer=empty)["crs"] == f"EPSG:{crs}"
    points = pyogrio.read_dataframe(path, layer="innspill_punkt")
    assert points.crs.to_epsg() == crs
    web = points[points["id"] == ids["web"]].iloc[0]
    x, y = ("lon", "lat") if crs == 4326 else (f"ost_{crs}", f"nord_{crs}")
    assert (web.geometry.x, web.geometry.y) == pytest.approx((web[x], web[y]))
    assert web["Hva bruker du området til?"] == "Tur; Lek" and web["konklusjon"] == "Delvis tatt til følge"
    assert web["form"] == "punkt"
    table = pyogrio.read_dataframe(path, layer="innspill_uten_sted")
    assert sorted(table["id"]) == sorted([ids["whole"], ids["letter"]])
    assert "geometry" not in table.columns
    # QGIS knows the CRS by its authority code, with no questions asked
    with sqlite3.connect(path) as db:
        srs = set(
            db.execute(
                """SELECT s.organization, s.organization_coordsys_id FROM gpkg_geometry_columns g
               JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id"""
            )
        )
        kinds = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents"))
    assert {(org.upper(), code) for org, code in srs} == {("EPSG", crs)}
    assert kinds == {
        "innspill_punkt": "features",
        "innspill_linje": "features",
        "innspill_flate": "features",
        "innspill_uten_sted": "attributes",
    }


def test_an_export_crs_outside_the_offered_ones_is_refused():
    assert parse_crs("EPSG:25833") == parse_crs("25833") == parse_crs(25833) == 25833
    for bad in ("EPSG:3857", "UTM32", ""):
        with pytest.raises(KartinnspillError) as caught:
            parse_crs(bad)
        assert "EPSG:25832, EPSG:25833, EPSG:4326" in caught.value.message()


def test_an_export_of_an_empty_consultation_has_headers_and_empty_layers(store, consultation, tmp_path):
    assert len(_csv(store, consultation)) == 0
    path = tmp_path / "tom.gpkg"
    path.write_bytes(export(store, consultation.id, Format.GPKG))
    assert pyogrio.read_info(path, layer="innspill_punkt")["features"] == 0
    assert pyogrio.read_info(path, layer="innspill_punkt")["crs"] == "EPSG:25832"


def _cli(db_path, *args):
    return subprocess.run(
        [sys.executable, "-m", "consultations", *args],
        env={"KARTINNSPILL_DB": str(db_path)},
        capture_output=True,
    )


def test_cli_writes_each_format_and_refuses_what_it_cannot(store, planned, db_path, tmp_path):
    c, ids = planned
    store.close()
    base = ("export", "--consultation", c.id)
    gpkg = tmp_path / "innspill.gpkg"
    done = _cli(db_path, *base, "--format", "gpkg", "--out", str(gpkg))
    assert done.returncode == 0, done.stderr
    assert pyogrio.read_info(gpkg, layer="innspill_punkt")["crs"] == "EPSG:25832"  # the profile's
    done = _cli(db_path, *base, "--format", "gpkg", "--crs", "EPSG:25833", "--out", str(gpkg))
    assert done.returncode == 0 and pyogrio.read_info(gpkg, layer="innspill_punkt")["crs"] == "EPSG:25833"
    xlsx = tmp_path / "innspill.xlsx"
    assert _cli(db_path, *base, "--format", "xlsx", "--out", str(xlsx)).returncode == 0
    assert openpyxl.load_workbook(xlsx).sheetnames == ["Innspill", "Nøkkeltall", "Merknadspunkter"]

    done = _cli(db_path, *base, "--format", "geojson", "--crs", "EPSG:25833", "--out", "-")
    assert done.returncode == 0 and len(json.loads(done.stdout)["features"]) == 4
    assert "RFC 7946" in done.stderr.decode()  # the note that --crs does not apply

    done = _cli(db_path, *base, "--format", "csv", "--include-names", "--out", "-")
    assert done.returncode == 0 and SENDER in done.stdout.decode("utf-8-sig")

    for refused in (
        ("--format", "gpkg", "--crs", "EPSG:3857", "--out", str(gpkg)),
        ("--format", "xlsx", "--out", "-"),
        ("--format", "gpkg", "--out", "-"),
    ):
        done = _cli(db_path, *base, *refused)
        assert done.returncode == 2 and done.stdout == b""
        assert len(done.stderr.decode().strip().splitlines()) == 1, done.stderr

    from consultations.store import Store

    reopened = Store.open(db_path)
    try:
        actions = [e.action for e in reopened.audit_entries() if e.actor == "cli"]
    finally:
        reopened.close()
    assert actions.count("consultation.export") == 5  # every file written, none refused


def test_a_question_text_that_looks_like_a_formula_is_an_inert_header_in_csv_and_xlsx(store):
    question = '=HYPERLINK("http://evil.example";"klikk")'
    c = make_consultation(questions=(Question("q", QuestionKind.SCALE, question),))
    store.add_consultation(c)
    submit_input(store, c.id, InputDraft("Annet", "Fint område.", *INSIDE, answers={"q": 3}), session="a", now=NOW)
    header = next(csv.reader(io.StringIO(export(store, c.id, Format.CSV).decode("utf-8-sig")), delimiter=";"))
    assert f"'{question}" in header
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in header)
    sheet = openpyxl.load_workbook(io.BytesIO(export(store, c.id, Format.XLSX)))["Innspill"]
    (cell,) = [cell for cell in sheet[1] if cell.value == question]
    assert cell.data_type == "s" and cell.quotePrefix  # shown as text, also after editing
