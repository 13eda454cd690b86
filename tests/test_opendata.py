"""OGC API – Features (/ogcapi), the open-data downloads (/opendata) and the feeds (/feeds)
through the ASGI routes serve.py mounts (consultations/web.py), on DuckDB and PostgreSQL.

What the public may see is the point: published inputs of public consultations only, the
text masked, never a sender, an address, a hidden or a pending input; answers only after
the consultation once published. The real clients (GDAL, OWSLib, feedparser against a
running server) are in test_opendata_clients.py.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from starlette.applications import Starlette
from starlette.testclient import TestClient

from consultations import geo, web
from consultations.outputs import ogcapi
from consultations.config import load_settings
from consultations.model import InputStatus
from tests.conftest import NOW, make_consultation
from tests.opendata_data import ADDRESS, CLOSED, DRAFT, OPEN, PHONE, SENDER, seed
from tests.pg import on_both_backends as store_location  # noqa: F401  (DuckDB and PostgreSQL)

UTM32 = "http://www.opengis.net/def/crs/EPSG/0/25832"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def seeded(store):
    return seed(store)


@pytest.fixture
def client(store, seeded, request) -> TestClient:
    location = request.getfixturevalue("store_location")  # the store's, so web.py finds it open
    settings = load_settings({"KARTINNSPILL_DB": str(location), "KARTINNSPILL_TILES": "none"}, Path("/nonexistent"))
    return TestClient(Starlette(routes=web.routes(settings, clock=lambda: NOW)))


def items(client: TestClient, collection: str, **params) -> dict:
    response = client.get(f"/ogcapi/collections/{collection}/items", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def all_pages(client: TestClient, collection: str, limit: int) -> list[dict]:
    page = items(client, collection, limit=limit)
    features = list(page["features"])
    while nxt := [link["href"] for link in page["links"] if link["rel"] == "next"]:
        page = client.get(nxt[0]).json()
        features += page["features"]
    return features


def test_landing_page_conformance_and_openapi_name_every_part_a_client_needs(client):
    landing = client.get("/ogcapi").json()
    rels = {link["rel"]: link for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    conformance = client.get("/ogcapi/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    api = client.get(rels["service-desc"]["href"])
    assert api.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    paths = api.json()["paths"]
    assert "/collections/{collectionId}/items" in paths
    collection_ids = paths["/collections/{collectionId}/items"]["get"]["parameters"][0]["schema"]["enum"]
    assert set(collection_ids) == {"planomrader", f"innspill-{OPEN}", f"innspill-{CLOSED}"}


def test_collections_are_the_public_consultations_and_the_plan_areas_never_a_draft(client):
    found = {c["id"]: c for c in client.get("/ogcapi/collections").json()["collections"]}
    assert set(found) == {"planomrader", f"innspill-{OPEN}", f"innspill-{CLOSED}"}
    crs = found[f"innspill-{OPEN}"]["crs"]
    assert crs[0] == geo.CRS84_URI and EPSG4326 in crs and UTM32 in crs
    assert client.get(f"/ogcapi/collections/innspill-{DRAFT}").status_code == 404
    assert client.get(f"/ogcapi/collections/innspill-{DRAFT}/items").status_code == 404
    areas = items(client, "planomrader")
    assert {f["properties"]["consultation"] for f in areas["features"]} == {OPEN, CLOSED}


def test_items_are_exactly_the_published_inputs_masked_without_sender_or_address(client, seeded):
    features = items(client, f"innspill-{OPEN}")["features"]
    assert sorted(f["id"] for f in features) == sorted(seeded.published[OPEN])
    body = json.dumps(features, ensure_ascii=False)
    for secret in (PHONE, SENDER, ADDRESS, "Skjult innspill", "Venter på moderering", "I en kladd"):
        assert secret not in body
    assert "[personopplysning fjernet]" in body
    shapes = {f["properties"]["shape"] for f in features}
    assert shapes == {"point", "line", "whole_area"}
    whole = next(f for f in features if f["properties"]["shape"] == "whole_area")
    assert whole["geometry"] is None
    for withheld in seeded.withheld:
        assert client.get(f"/ogcapi/collections/innspill-{OPEN}/items/{withheld}").status_code == 404


def test_the_answer_is_there_only_after_the_consultation_once_published(client, store, seeded):
    closed = items(client, f"innspill-{CLOSED}")["features"]
    assert closed[0]["properties"]["outcome"] == "tatt_til_folge"
    assert closed[0]["properties"]["answer"] == "Vi setter ut fire benker."
    store.set_responses_published(CLOSED, False, "kari")
    assert items(client, f"innspill-{CLOSED}")["features"][0]["properties"]["answer"] is None


def test_paging_follows_next_links_through_every_input_once(client, store):
    seed_more = 230
    store.bulk_add_inputs(
        OPEN,
        [("Annet", f"Nr {n}", 59.825, 10.41, None, None, NOW - timedelta(hours=n)) for n in range(seed_more)],
        *_web_published(),
    )
    features = all_pages(client, f"innspill-{OPEN}", limit=50)
    assert len(features) == 4 + seed_more
    assert len({f["id"] for f in features}) == len(features)
    page = items(client, f"innspill-{OPEN}", limit=50)
    assert page["numberMatched"] == 4 + seed_more and page["numberReturned"] == 50


def _web_published():
    from consultations.model import Channel

    return Channel.WEB, InputStatus.PUBLISHED


def test_bbox_datetime_and_property_filters_select_the_inputs(client, seeded):
    route = seeded.published[OPEN][1]
    # around the end of the drawn route only (not the pins at 10.414)
    found = items(client, f"innspill-{OPEN}", bbox="10.418,59.827,10.43,59.829")["features"]
    assert [f["id"] for f in found] == [route]
    east, north = geo.to_working_crs(10.42, 59.828)
    in_utm = items(
        client, f"innspill-{OPEN}", bbox=f"{east - 50},{north - 50},{east + 50},{north + 50}", **{"bbox-crs": UTM32}
    )["features"]
    assert [f["id"] for f in in_utm] == [route]
    since = (NOW - timedelta(days=3)).isoformat().replace("+00:00", "Z")
    recent = items(client, f"innspill-{OPEN}", datetime=f"{since}/..")["features"]
    assert {f["id"] for f in recent} == set(seeded.published[OPEN][1:])
    lines = items(client, f"innspill-{OPEN}", shape="line")["features"]
    assert [f["id"] for f in lines] == [route]
    assert [f["id"] for f in items(client, f"innspill-{OPEN}", size="812")["features"]] == [route]
    received = items(client, f"innspill-{OPEN}", received="2026-11-18")["features"]
    assert [f["id"] for f in received] == seeded.published[OPEN][:1]


def test_crs_parameter_reprojects_in_the_crs_axis_order_and_says_so(client, seeded):
    pin = seeded.published[OPEN][0]
    url = f"/ogcapi/collections/innspill-{OPEN}/items/{pin}"
    utm = client.get(url, params={"crs": UTM32})
    assert utm.headers["content-crs"] == f"<{UTM32}>"
    assert utm.json()["geometry"]["coordinates"] == list(geo.to_working_crs(10.414, 59.826))
    latlon = client.get(url, params={"crs": EPSG4326}).json()["geometry"]["coordinates"]
    assert latlon == [59.826, 10.414]
    assert client.get(url).headers["content-crs"] == f"<{geo.CRS84_URI}>"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "coordinate reference system"),
        ({"limit": "mange"}, "whole number"),
        ({"bbox": "1,2,3"}, "four numbers"),
        ({"datetime": "i går"}, "RFC 3339"),
        ({"kategori": "Trafikk"}, "does not know the parameter"),
        ({"supports": "mange"}, "must be a number"),
    ],
)
def test_bad_parameters_get_400_with_a_message_in_the_asked_language(client, params, words):
    response = client.get(f"/ogcapi/collections/innspill-{OPEN}/items", params={**params, "lang": "en"})
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue"
    assert words in response.json()["description"]


def test_etag_answers_304_until_the_data_changes(client, store, seeded):
    url = f"/ogcapi/collections/innspill-{OPEN}/items"
    first = client.get(url)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == web.CACHE_CONTROL
    assert client.get(url, headers={"if-none-match": tag}).status_code == 304
    store.set_input_status([seeded.withheld[1]], InputStatus.PUBLISHED, "kari")
    changed = client.get(url, headers={"if-none-match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert seeded.withheld[1] in [f["id"] for f in changed.json()["features"]]


def test_a_client_asking_too_fast_is_told_to_wait(client, monkeypatch):
    monkeypatch.setattr(web, "API_PER_ADDRESS", web.Limit(burst=3, per_hour=1))
    codes = [client.get("/ogcapi/conformance").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    refused = client.get("/ogcapi/conformance")
    assert refused.headers["retry-after"] == "60"


def test_downloads_carry_the_licence_and_only_public_data(client, seeded):
    geojson = client.get(f"/opendata/{OPEN}.geojson")
    assert geojson.headers["content-type"] == "application/geo+json"
    document = geojson.json()
    assert document["license"]["url"] == "https://data.norge.no/nlod/no/2.0"
    assert sorted(f["id"] for f in document["features"]) == sorted(seeded.published[OPEN])
    csv = client.get(f"/opendata/{OPEN}.csv")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id;reference;category;text")
    assert len(text.strip().splitlines()) == 1 + len(seeded.published[OPEN])
    for body in (geojson.text, text):
        assert SENDER not in body and ADDRESS not in body and PHONE not in body
    assert client.get(f"/opendata/{DRAFT}.csv").status_code == 404
    page = client.get(f"/opendata/{OPEN}", params={"lang": "en"}).text
    assert "Norsk lisens for offentlige data (NLOD) 2.0" in page and f"/opendata/{OPEN}.geojson" in page
    assert "4 published inputs" in page


def test_a_title_with_markup_is_escaped_on_the_description_page(client, store):
    store.add_consultation(make_consultation("markup", title="<script>alert(1)</script>"))
    page = client.get("/opendata/markup").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# -- feeds ---------------------------------------------------------------------------------


def _check_atom(document: bytes) -> etree._Element:
    """RFC 4287's rules for a feed and its entries (§ 4.1.1, 4.1.2, 4.2.6, 4.2.7, 3.3)."""
    root = etree.fromstring(document)
    assert root.tag == f"{ATOM}feed"
    date = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

    def one(parent, name):
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{parent.tag} must have exactly one {name}"
        return found[0]

    for name in ("id", "title", "updated"):
        one(root, name)
    assert date.match(one(root, "updated").text)
    assert root.findall(f"{ATOM}link[@rel='self']"), "a feed should link to itself"
    feed_author = root.findall(f"{ATOM}author")
    ids = set()
    for entry in root.findall(f"{ATOM}entry"):
        entry_id = one(entry, "id").text
        assert re.match(r"^[a-z][a-z0-9+.-]*:", entry_id), "atom:id is an IRI"
        assert entry_id not in ids, "entries have distinct ids"
        ids.add(entry_id)
        one(entry, "title")
        assert date.match(one(entry, "updated").text)
        alternate = entry.findall(f"{ATOM}link[@rel='alternate']")
        assert alternate or entry.findall(f"{ATOM}content"), "an entry without content links to it"
        assert all(link.get("href", "").startswith("http") for link in alternate)
        assert feed_author or entry.findall(f"{ATOM}author"), "every entry has an author"
    return root


def test_atom_feed_lists_open_and_recently_closed_consultations_by_rfc_4287(client, store):
    store.add_consultation(
        make_consultation("old", title="Gammel", opens_at=NOW - timedelta(days=200), closes_at=NOW - timedelta(days=90))
    )
    response = client.get("/feeds/horinger.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = _check_atom(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Heggedal torg", "Borgen sentrum"]
    borgen = entries[1]
    assert borgen.find("{urn:kartinnspill:feed}saksnummer").text == "26/1234"
    assert "Saksnummer: 26/1234" in borgen.find(f"{ATOM}summary").text
    assert borgen.find(f"{ATOM}link").get("href").endswith(f"/?id={OPEN}")


def test_json_feed_and_calendar_carry_frist_and_saksnummer(client):
    feed = client.get("/feeds/horinger.json").json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    borgen = next(i for i in feed["items"] if i["title"] == "Borgen sentrum")
    assert borgen["_kartinnspill"]["saksnummer"] == "26/1234"
    assert borgen["_kartinnspill"]["frist"] == "2026-12-27T12:00:00Z"
    calendar = client.get("/feeds/frister.ics")
    assert calendar.headers["content-type"].startswith("text/calendar")
    lines = calendar.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    unfolded = calendar.content.decode().replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20261227" in unfolded and "SUMMARY:Frist: Borgen sentrum" in unfolded
    assert "Vollen kladd" not in unfolded
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") == 2


def test_feed_texts_follow_the_language_asked_for(client):
    feed = client.get("/feeds/horinger.json", params={"lang": "en"}).json()
    assert feed["title"] == "Consultations – Asker kommune"
    assert all(item["url"].endswith("&lang=en") for item in feed["items"])


def test_problems_of_the_protocol_are_its_own_errors():
    error = ogcapi.HttpError(404, "NotFound", "opendata.no_item", id="7")
    assert error.message("nn") == "Fann ikkje objektet «7» i samlinga."


def test_under_a_base_path_every_link_keeps_it(store, seeded, request):
    location = request.getfixturevalue("store_location")
    settings = load_settings({"KARTINNSPILL_DB": str(location), "KARTINNSPILL_TILES": "none"}, Path("/nonexistent"))
    client = TestClient(Starlette(routes=web.routes(settings, "kartinnspill", clock=lambda: NOW)))
    landing = client.get("/kartinnspill/ogcapi").json()
    assert all(link["href"].startswith("http://testserver/kartinnspill/ogcapi") for link in landing["links"])
    page = client.get(f"/kartinnspill/ogcapi/collections/innspill-{OPEN}/items", params={"limit": 1}).json()
    assert next(link for link in page["links"] if link["rel"] == "next")["href"].startswith(
        "http://testserver/kartinnspill/ogcapi/collections/"
    )
    feed = client.get("/kartinnspill/feeds/horinger.json").json()
    assert feed["items"][0]["url"].startswith("http://testserver/kartinnspill/?id=")
