"""The address register in the store (``places.py`` searches it): replaced whole by an
import, searched by a resident's typing, by property (gnr/bnr) and by nearness to a point."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from ..model import Address
from .audit import _audit
from .backend import Cursor
from .database import _steady
from .rows import ADDRESS_COLUMNS, address, select

_ADDRESS_COLUMNS = select(ADDRESS_COLUMNS)


class AddressesStore:
    """The ``Store``'s address register (mixed into ``Store``)."""

    def replace_addresses(self, addresses: Sequence[Address], actor: str | None) -> int:
        """The address register, replaced whole in one transaction (a failed import leaves
        the old one); with an ``actor`` (staff, the CLI), in the audit log too. Returns how
        many addresses it now holds."""
        import pandas  # only here: the bulk insert goes through a frame (30,000 rows in ~0.1 s)

        frame = pandas.DataFrame([dataclasses.asdict(a) for a in addresses], columns=list(ADDRESS_COLUMNS)).astype(
            {"gnr": "Int64", "bnr": "Int64"}
        )
        with self._transaction() as cur:
            before = self._count_addresses(cur)
            cur.execute("DELETE FROM addresses")
            self._backend.insert_frame(cur, "addresses", _ADDRESS_COLUMNS, frame)
            after = self._count_addresses(cur)
            if actor:
                _audit(
                    cur,
                    actor,
                    "addresses.import",
                    "addresses",
                    "",
                    json.dumps({"count": before}),
                    json.dumps({"count": after}),
                )
        return after

    @staticmethod
    def _count_addresses(cur: Cursor) -> int:
        return int(cur.execute("SELECT count(*) FROM addresses").fetchone()[0])

    @_steady
    def count_addresses(self) -> int:
        return int(self._value("SELECT count(*) FROM addresses") or 0)

    @_steady
    def search_addresses(self, key: str, limit: int) -> list[Address]:
        """Addresses whose key starts with ``key``, or has a word that does (both as
        places.normalise() spells them): those starting with it first, then the shortest."""
        if not key:
            return []
        rows = self._records(
            f"""SELECT {_ADDRESS_COLUMNS} FROM addresses
                 WHERE starts_with(key, ?) OR strpos(key, ?) > 0
                 ORDER BY NOT starts_with(key, ?), length(key), key LIMIT ?""",
            (key, " " + key, key, limit),
        )
        return [address(r) for r in rows]

    @_steady
    def addresses_of_property(self, gnr: int, bnr: int, limit: int) -> list[Address]:
        """The addresses on one property (gardsnummer/bruksnummer), in order."""
        rows = self._records(
            f"""SELECT {_ADDRESS_COLUMNS} FROM addresses WHERE gnr = ? AND bnr = ?
                 ORDER BY length(key), key LIMIT ?""",
            (gnr, bnr, limit),
        )
        return [address(r) for r in rows]

    def nearest_address(self, east: float, north: float, within: float) -> Address | None:
        """The register's address nearest to (east, north) in the working CRS, at most
        ``within`` metres east and north of it (a box: the caller checks the distance)."""
        rows = self._records(
            f"""SELECT {_ADDRESS_COLUMNS} FROM addresses
               WHERE east BETWEEN ? AND ? AND north BETWEEN ? AND ?
               ORDER BY (east - ?) * (east - ?) + (north - ?) * (north - ?), key LIMIT 1""",
            (east - within, east + within, north - within, north + within, east, east, north, north),
        )
        return address(rows[0]) if rows else None
