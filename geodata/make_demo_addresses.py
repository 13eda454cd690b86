"""Writes ``asker_demo_addresses.csv``: a FICTITIOUS address register for the demo areas,
in the layout of Kartverket's «Adresser» CSV (semicolons, Kartverket's header, EPSG:25832).

The street names are used around Asker, but every house number, postcode/place pairing,
gnr/bnr and position here is invented: streets are straight lines drawn through each demo
plan area, with numbers along them. Deterministic; run it again to get the same file:

    /work/main/.venv/bin/python geodata/make_demo_addresses.py
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import shapely
from shapely.geometry import LineString

from consultations import geo

HERE = Path(__file__).resolve().parent
OUT = HERE / "asker_demo_addresses.csv"
HEADER = (
    "lokalId;kommunenummer;kommunenavn;adressetype;adressetilleggsnavn;adressetilleggsnavnKilde;"
    "adressekode;adressenavn;nummer;bokstav;gardsnummer;bruksnummer;festenummer;undernummer;"
    "adresseTekst;adresseTekstUtenAdressetilleggsnavn;EPSG-kode;Nord;Øst;postnummer;poststed;"
    "oppdateringsdato;datauttaksdato;adresseId;uuidAdresse"
).split(";")
# per demo area: (postcode, poststed, first gnr, streets with their bearing in degrees)
AREAS = {
    "borgen-tettstedsutvikling": (
        "1388",
        "Borgen",
        38,
        [("Bondivannsveien", 20), ("Borgenveien", 110), ("Åsgårdveien", 65)],
    ),
    "asker-sentrum-omraderegulering": (
        "1384",
        "Asker",
        41,
        [("Kirkeveien", 150), ("Strandveien", 60), ("Torvveien", 15)],
    ),
    "heggedal-tettstedsutvikling": (
        "1389",
        "Heggedal",
        71,
        [("Heggedalsveien", 170), ("Møllestien", 80), ("Ærtebekkveien", 35)],
    ),
    "slemmestad-detaljregulering-kai": (
        "1385",
        "Slemmestad",
        97,
        [("Slemmestadveien", 0), ("Kaiveien", 95), ("Sjøgata", 45)],
    ),
    "vollen-kyststi-idefase": (
        "1390",
        "Vollen",
        58,
        [("Vollsveien", 30), ("Badeveien", 120), ("Bjerkåsveien", 75)],
    ),
}
NUMBERS = 30  # house numbers per street: 5 areas × 3 streets × 30 = 450 addresses


def rows() -> list[list[str]]:
    areas = geo.read_areas(HERE / "asker_demo_areas.geojson", key="consultation_id")
    out: list[list[str]] = []
    code = 1000
    for cid, (postcode, place, gnr, streets) in AREAS.items():
        area = geo.project_area(areas[cid], geo.WORKING_CRS)
        c = area.representative_point()
        for s, (street, bearing) in enumerate(streets):
            code += 1
            dx, dy = math.sin(math.radians(bearing)), math.cos(math.radians(bearing))
            line = shapely.intersection(
                LineString([(c.x - 3000 * dx, c.y - 3000 * dy), (c.x + 3000 * dx, c.y + 3000 * dy)]), area
            )
            for n in range(1, NUMBERS + 1):
                # odd numbers on one side, even on the other, 12 m off the street's line
                p = line.interpolate((n - 0.5) / NUMBERS, normalized=True)
                side = 12 if n % 2 else -12
                east, north = p.x + side * dy, p.y - side * dx
                bnr = 200 + s * 40 + n  # invented, like every number here
                if (street, n) == ("Bondivannsveien", 12):
                    bnr = 101  # the example in the docs: «gnr 38 bnr 101»
                text = f"{street} {n}"
                out.append(
                    [
                        f"demo-{code}-{n}",
                        "3203",
                        "ASKER",
                        "vegadresse",
                        "",
                        "",
                        str(code),
                        street,
                        str(n),
                        "",
                        str(gnr),
                        str(bnr),
                        "0",
                        "",
                        text,
                        text,
                        "25832",
                        f"{north:.2f}",
                        f"{east:.2f}",
                        postcode,
                        place.upper(),
                        "2026-01-01",
                        "2026-01-01",
                        str(code * 100 + n),
                        "",
                    ]
                )
    return out


if __name__ == "__main__":
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows())
    print(f"wrote {OUT}")
