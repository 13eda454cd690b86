"""Finding any address or property: the address register (Kartverket's «Adresser» CSV), the
tolerant search, and the resident's and the planner's keyboard route to a pin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consultations import cli, geo
from consultations.participation import places
from consultations.casework.analysis import load_places
from consultations.errors import InvalidInput
from consultations.model import Role
from consultations.permissions import OPERATOR, NotAllowed
from consultations.store import Store
from tests.conftest import log_in_as, staff
from tests.pg import on_both_backends as store_location  # noqa: F401  (store tests on both)

BORGEN = "borgen-tettstedsutvikling"
HEADER = "lokalId;kommunenummer;adresseTekst;gardsnummer;bruksnummer;EPSG-kode;Nord;Øst;postnummer;poststed"


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\n".join([header, *lines]) + "\n").encode("utf-8")  # Geonorge: UTF-8, BOM


TWO = csv_file(
    "1;3203;Bondivannsveien 12;38;101;25832;6632437.00;579097.00;1388;BORGEN",
    "2;3203;Østre Asker vei 3 B;41;7;4258;59.8336;10.4344;1384;ASKER",
)


# -- reading Kartverket's file ---------------------------------------------------------------


def test_kartverket_csv_is_read_by_its_column_names_in_the_crs_each_line_names():
    utm, geographic = places.read_addresses(TWO)
    assert (utm.text, utm.postcode, utm.place, utm.gnr, utm.bnr) == ("Bondivannsveien 12", "1388", "BORGEN", 38, 101)
    lon, lat = geo.reproject(579097.0, 6632437.0, 25832, geo.WGS84)
    assert (utm.lat, utm.lon) == pytest.approx((lat, lon), abs=1e-6)
    assert (utm.east, utm.north) == pytest.approx((579097.0, 6632437.0), abs=0.05)
    # EPSG:4258: «Nord» is the latitude, «Øst» the longitude
    assert (geographic.lat, geographic.lon) == pytest.approx((59.8336, 10.4344), abs=1e-6)
    assert geographic.key == "ostre asker vei 3 b"


def test_a_file_without_kartverkets_columns_is_refused_naming_them():
    with pytest.raises(InvalidInput) as caught:
        places.read_addresses(csv_file("Bondivannsveien 12;1;2", header="adresse;x;y"))
    assert "adressetekst, epsg-kode, nord, øst" in caught.value.message()


@pytest.mark.parametrize(
    "line",
    [
        "1;3203;Bondivannsveien 12;38;101;25832;nord;579097;1388;BORGEN",  # not a number
        "1;3203;Bondivannsveien 12;38;101;99999;6632437;579097;1388;BORGEN",  # no such CRS
        "1;3203;;38;101;25832;6632437;579097;1388;BORGEN",  # no address text
        "1;3203;Bondivannsveien 12;38;101;4258;95.0;10.4;1388;BORGEN",  # not on Earth
    ],
)
def test_a_line_that_cannot_be_read_is_refused_with_its_number(line):
    with pytest.raises(InvalidInput) as caught:
        places.read_addresses(csv_file("2;3203;Kirkeveien 1;41;1;4258;59.83;10.43;1384;ASKER", line))
    assert caught.value.key == "addresses.bad_line" and caught.value.params["line"] == 3


# -- the register in the store ---------------------------------------------------------------


def test_a_new_import_replaces_the_register_and_is_audited(store):
    assert places.import_addresses(store, OPERATOR, TWO) == 2
    one = csv_file("9;3203;Kirkeveien 1;41;1;4258;59.83;10.43;1384;ASKER")
    assert places.import_addresses(store, OPERATOR, one) == 1
    assert [a.text for a in store.search_addresses("kirkeveien", 10)] == ["Kirkeveien 1"]
    assert store.search_addresses("bondivannsveien", 10) == []
    entry = store.audit_entries()[0]
    assert (entry.action, json.loads(entry.after)) == ("addresses.import", {"count": 1})


def test_a_refused_file_leaves_the_old_register_as_it_was(store):
    places.import_addresses(store, OPERATOR, TWO)
    bad = csv_file("9;3203;Kirkeveien 1;41;1;4258;59.83;10.43;1384;ASKER", "10;3203;X 1;1;1;4258;;;1;Y")
    with pytest.raises(InvalidInput):
        places.import_addresses(store, OPERATOR, bad)
    assert store.count_addresses() == 2


def test_a_planner_may_not_replace_the_address_register(store, kari):
    with pytest.raises(NotAllowed):
        places.import_addresses(store, kari, TWO)
    assert store.count_addresses() == 0


def test_import_addresses_command_loads_the_file_and_says_how_many(tmp_path, monkeypatch, capsys):
    path = tmp_path / "adresser.csv"
    path.write_bytes(TWO)
    monkeypatch.setenv("KARTINNSPILL_DB", str(tmp_path / "cli.duckdb"))
    assert cli.main(["import-addresses", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "Adresseregisteret har nå 2 adresser."
    path.write_bytes(b"adresse;x\n")
    assert cli.main(["import-addresses", str(path)]) == 2
    assert "mangler kolonnene" in capsys.readouterr().err
    store = Store.open(tmp_path / "cli.duckdb")
    try:
        assert store.count_addresses() == 2
    finally:
        store.close()


# -- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("aasgaardveien", "Åsgårdveien"),
        ("Asgardveien", "Åsgårdveien"),
        ("sjoegata", "Sjøgata"),
        ("SJOGATA", "Sjøgata"),
        ("aertebekkveien", "Ærtebekkveien"),
        ("  Bondivannsveien    12 ", "Bondivannsveien 12"),
        ("A\u030asgårdveien", "Åsgårdveien"),  # å typed as a + combining ring
    ],
)
def test_norwegian_letters_case_and_spaces_are_matched_however_typed(typed, stored):
    assert places.matches(places.normalise(stored), places.normalise(typed))


def test_a_name_matches_from_its_start_or_a_words_start_only():
    key = places.normalise("Østre Asker vei 3")
    assert places.matches(key, "asker") and places.matches(key, "ostre a")
    assert not places.matches(key, "sker") and not places.matches(key, "")


@pytest.mark.parametrize("typed", ["gnr 38 bnr 101", "38/101", "Gnr. 38, bnr. 101", "38 / 101", "gnr38bnr101"])
def test_a_property_is_read_as_gnr_and_bnr_however_written(typed):
    assert places.parse_property(typed) == (38, 101)


@pytest.mark.parametrize("typed", ["Bondivannsveien 12", "38", "38 101", "gnr 38"])
def test_what_is_not_a_property_is_not_read_as_one(typed):
    assert places.parse_property(typed) is None


# -- the search on the demo register ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(demo_db):
    s = Store.open(demo_db)
    yield s
    s.close()


def labels(store, typed: str) -> list[str]:
    return [h.label for h in places.search(store, typed, load_places())]


def test_the_demo_finds_an_address_a_property_and_a_named_place(demo_store):
    assert labels(demo_store, "Bondivannsveien 12")[0] == "Bondivannsveien 12, 1388 Borgen"
    assert labels(demo_store, "gnr 38 bnr 101") == ["38/101 – Bondivannsveien 12, 1388 Borgen"]
    assert labels(demo_store, "38/101") == ["38/101 – Bondivannsveien 12, 1388 Borgen"]
    assert labels(demo_store, "borgen")[0] == "Borgen"  # the named place before the streets
    assert labels(demo_store, "asgardveien 3")[:2] == ["Åsgårdveien 3, 1388 Borgen", "Åsgårdveien 30, 1388 Borgen"]


def test_a_search_offers_a_bounded_list_and_nothing_for_one_letter(demo_store):
    assert len(labels(demo_store, "borgenveien")) == places.SEARCH_LIMIT  # 30 in the register
    assert labels(demo_store, "b") == []


def test_the_demo_register_has_addresses_inside_every_demo_area(demo_store):
    every = {a for letter in "abcdefghijklmnopqrstuvwxyz" for a in demo_store.search_addresses(letter, 1000)}
    assert len(every) == 450  # 5 demo areas × 3 streets × 30 numbers (geodata/make_demo_addresses.py)
    for c in (x.consultation for x in demo_store.listings()):
        assert sum(geo.contains(c.area, a.lat, a.lon) for a in every) >= 30, c.id


# -- the pages -------------------------------------------------------------------------------


def test_resident_finds_her_address_and_the_pin_goes_there(demo_app):
    at = demo_app
    at.query_params["id"] = BORGEN
    at.run()
    at.text_input(key=f"place-{BORGEN}-query").input("bondivannsveien 12").run()
    choice = at.selectbox(key=f"place-{BORGEN}")
    assert choice.options[0] == "Bondivannsveien 12, 1388 Borgen"
    choice.set_value("Bondivannsveien 12, 1388 Borgen").run()
    (hit,) = [a for a in at.store().search_addresses("bondivannsveien 12", 1)]
    assert any(s.value.startswith("Valgt punkt") and f"{hit.lat:.5f}" in s.value for s in at.success)


def test_an_address_outside_the_plan_area_is_refused_as_a_click_there_would_be(demo_app):
    at = demo_app
    at.query_params["id"] = BORGEN
    at.run()
    at.text_input(key=f"place-{BORGEN}-query").input("Sjøgata 4").run()
    at.selectbox(key=f"place-{BORGEN}").set_value("Sjøgata 4, 1385 Slemmestad").run()
    assert any(w.value.startswith("Punktet ligger utenfor planområdet") for w in at.warning)
    assert not any(s.value.startswith("Valgt punkt") for s in at.success)


def test_a_search_that_finds_nothing_says_so(demo_app):
    at = demo_app
    at.query_params["id"] = BORGEN
    at.run()
    at.text_input(key=f"place-{BORGEN}-query").input("Ingensteds gate 99").run()
    assert any("Fant ingen adresse" in c.value for c in at.caption)


def test_planner_registering_a_letter_finds_the_property_it_names(demo_app):
    at = demo_app
    kari = staff(at.store(), "kari", Role.PLANNER)
    at.switch_page("pages/registrer-innspill.py")
    log_in_as(at, kari.id).run()
    at.selectbox(key="register-consultation").set_value(BORGEN).run()
    at.checkbox(key="register-whole_area").uncheck().run()
    at.text_input(key=f"register-place-{BORGEN}-query").input("38/101").run()
    at.selectbox(key=f"register-place-{BORGEN}").set_value("38/101 – Bondivannsveien 12, 1388 Borgen").run()
    assert any(s.value.startswith("Valgt punkt") for s in at.success), [s.value for s in at.success]


def test_a_geojson_register_is_read_with_the_same_names_as_properties_in_its_crs(tmp_path):
    feature = {
        "type": "Feature",
        "properties": {
            "adresseTekst": "Bondivannsveien 12",
            "postnummer": "1388",
            "poststed": "BORGEN",
            "gardsnummer": 38,
            "bruksnummer": 101,
        },
        "geometry": {"type": "Point", "coordinates": [579097.0, 6632437.0]},
    }
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [feature],
    }
    (a,) = places.read_addresses(json.dumps(document).encode(), filename="adresser.geojson")
    lon, lat = geo.reproject(579097.0, 6632437.0, 25832, geo.WGS84)
    assert (a.text, a.gnr, a.bnr, a.postcode) == ("Bondivannsveien 12", 38, 101, "1388")
    assert (a.lat, a.lon) == pytest.approx((lat, lon), abs=1e-6)


def test_a_geopackage_register_replaces_the_csv_one(store, tmp_path):
    import geopandas
    from shapely.geometry import Point

    frame = geopandas.GeoDataFrame(
        {"adresseTekst": ["Kirkeveien 1", "Kirkeveien 2"], "gardsnummer": [41, 41], "bruksnummer": [1, 2]},
        geometry=[Point(579100, 6632400), Point(579120, 6632410)],
        crs="EPSG:25832",
    )
    path = tmp_path / "adresser.gpkg"
    frame.to_file(path, driver="GPKG")
    places.import_addresses(store, OPERATOR, TWO)
    assert places.import_address_file(store, OPERATOR, path) == 2
    assert [a.text for a in store.addresses_of_property(41, 2, 5)] == ["Kirkeveien 2"]


def test_a_pin_is_named_by_the_nearest_address_when_one_is_near(store):
    from consultations.model import Address
    from consultations.participation.places import NEAREST_ADDRESS_M, nearest_address

    def address(text: str, lat: float, lon: float) -> Address:
        east, north = geo.to_working_crs(lon, lat)
        return Address(text, "1388", "BORGEN", 1, 2, lat, lon, east, north, text.lower())

    store.replace_addresses(
        [address("Bondivannsveien 12", 59.8265, 10.4140), address("Bondivannsveien 1", 59.8275, 10.4160)], None
    )
    found = nearest_address(store, 59.82655, 10.41405)
    assert found is not None and found.text == "Bondivannsveien 12"
    assert nearest_address(store, 59.8274, 10.4159).text == "Bondivannsveien 1"
    far = 59.8265 + 2 * NEAREST_ADDRESS_M / 111_000  # twice the distance north
    assert nearest_address(store, far, 10.4140) is None
