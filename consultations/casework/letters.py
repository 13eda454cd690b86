"""Letters staff register, and what stays private in every merknad.

A merknad a planner types in from a letter or an e-mail is a case document, but not a web
page: one from a private person, a landowner or a neighbour waits for a planner to publish
it whatever the consultation's moderation mode, and nothing with personal data (a
fødselsnummer, health, the sender's circumstances) is ever published by itself, from any
channel (``held``).

The sender's own name, address and gnr/bnr are personal data where the sender is a person
(``own``): public views and the report mask them wherever the text repeats them.

A registered letter keeps its archive facts (``store.Letter``): the original file as it came
(the hoveddokument), the journalpost postmottak already gave it, and whether an
innsigelse letter also holds a faglig råd. A postal address is kept as one line, «Gate 1,
1384 Asker», read back into street, postnummer and poststed (``PostalAddress``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidInput
from ..model import Input, Moderation, SenderType
from .moderation import Own, has_personal_data
from ..text import clean_text

_POSTAL = re.compile(r"^(?P<street>.*\S)\s*,\s*(?P<postcode>\d{4})\s+(?P<place>\S.*)$")
# A journalpost as Noark 5 writes it: saksnummer (year/sequence) and document number.
_JOURNALPOST = re.compile(r"(\d{2}|\d{4})/(\d{1,7})-(\d{1,5})")
STREET_MAX = 150
PLACE_MAX = 60


@dataclass(frozen=True)
class PostalAddress:
    street: str  # adresselinje: «Gate 1», «Postboks 123»
    postcode: str  # postnummer, four digits
    place: str  # poststed

    def __str__(self) -> str:
        return f"{self.street}, {self.postcode} {self.place}"


def postal_address(street: str | None, postcode: str | None, place: str | None) -> PostalAddress | None:
    """The web form's three fields as one address; ``None`` when all are empty. A partial
    address or a postnummer that is not four digits is refused."""
    street, postcode, place = (" ".join(clean_text(v or "").split()) for v in (street, postcode, place))
    if not (street or postcode or place):
        return None
    if not re.fullmatch(r"\d{4}", postcode):
        raise InvalidInput("letters.postcode_invalid", value=postcode)
    if not street or not place:
        raise InvalidInput("letters.address_incomplete")
    if len(street) > STREET_MAX or len(place) > PLACE_MAX:
        raise InvalidInput("identity.address_long", max=STREET_MAX)
    return PostalAddress(street, postcode, place)


def parse_address(text: str | None) -> PostalAddress | None:
    """«Gate 1, 1384 Asker» read back into its parts; ``None`` when it has no four-digit
    postnummer before a poststed (an address typed freely on the web form)."""
    line = " ".join(re.sub(r"(?:\s*[\n,]\s*)+", ", ", (text or "").strip()).split())  # lines: commas
    if match := _POSTAL.match(line):
        return PostalAddress(match["street"].strip(), match["postcode"], match["place"].strip())
    return None


def check_address(text: str | None) -> PostalAddress | None:
    """The command line's ``--sender-address``: refused without a four-digit postnummer."""
    if not (text or "").strip():
        return None
    found = parse_address(clean_text(text or ""))
    if found is None:
        raise InvalidInput("letters.address_no_postcode", value=text)
    return postal_address(found.street, found.postcode, found.place)


def check_journalpost(value: str | None) -> str | None:
    """«25/4711-12»: the journalpost postmottak gave the letter; ``None`` when not given."""
    number = "".join((value or "").split())
    if not number:
        return None
    if not _JOURNALPOST.fullmatch(number):
        raise InvalidInput("letters.journalpost_invalid", value=value)
    return number


def is_private(sender_type: SenderType | str | None) -> bool:
    """A private person, landowner or neighbour (a web merknad counts as one)."""
    return sender_type is None or SenderType(sender_type).is_person


def held(moderation: Moderation, texts: tuple[str, ...], *, registered_private: bool = False) -> bool:
    """Whether a new input waits for a planner: pre-moderation, a letter staff registered
    from a private sender, or any personal data in its text (or a photo's alt text)."""
    return moderation == Moderation.PRE or registered_private or any(has_personal_data(t) for t in texts)


def own(item: Input) -> Own | None:
    """What public views and the report mask of the sender in the text: a person's own
    name, address and gnr/bnr. An authority's or an organisation's name is not masked."""
    return own_of(item.sender_type, item.sender_name, item.sender_address, item.sender_property)


def own_of(sender_type: object, name: object, address: object, prop: object) -> Own | None:
    kind = sender_type if isinstance(sender_type, str) and sender_type else None
    if not is_private(kind):
        return None
    found = Own(*(v if isinstance(v, str) and v else None for v in (name, address, prop)))
    return found or None
