"""The vedtak's varslingsliste for letters: everyone who must be told of the vedtak and
gets no e-mail, as an XLSX (also a Word mail merge source). Apart from mail.py, which the
merknadsbehandling's modules import, so that mail never imports the exports.

It joins the two halves of the varslingsliste: the postal addresses registered with the
merknader (``notification.recipients``, #21: one line per person and address, with all
their references) less those told by e-mail — a sender whose merknad has an active
follow of the kinds ``mail.varslingsliste`` mails (a letter's ``--sender-email``, a
confirmed «varsle meg») —
then the merknader with a postal address but no name, or only a gnr/bnr (the owner is
found in the matrikkel), and last the høringsinstanser (``hearing_parties``) not on it by
their answer, by name — each once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import notification
from .export import to_xlsx
from ..i18n import t
from ..casework.letters import parse_address
from ..mail_model import FollowKind
from ..model import Role, User, reference
from ..permissions import require
from ..casework.review import is_merknad
from ..store import Store


@dataclass(frozen=True)
class PostalRecipient:
    name: str
    street: str
    postcode: str
    place: str
    property: str  # gnr/bnr, as the sender gave it
    references: tuple[str, ...]


def recipients(store: Store, consultation_id: str) -> list[PostalRecipient]:
    """Who gets the vedtak notice by letter, each once: named senders in the order their
    first merknad came, then the rest, then the høringsinstanser not yet on it."""
    follows = store.follows(consultation_id, (FollowKind.NOTICE, FollowKind.INPUT, FollowKind.CONSULTATION))
    mailed = {reference(f.input_id) for f in follows if f.input_id is not None}
    inputs = {i.reference: i for i in store.all_inputs(consultation_id)}
    found: list[PostalRecipient] = []
    listed: set[str] = set()
    for r in notification.recipients(store, consultation_id):
        listed.update(r.references)
        if r.email or mailed.intersection(r.references):
            continue  # told by e-mail
        gnr = next((inputs[x].sender_property for x in r.references if x in inputs and inputs[x].sender_property), "")
        found.append(PostalRecipient(r.name, r.street, r.postcode, r.place, gnr, r.references))
    rest: dict[tuple[str, str, str], PostalRecipient] = {}
    for ref, item in inputs.items():
        address, gnr = (item.sender_address or "").strip(), (item.sender_property or "").strip()
        if ref in listed or ref in mailed or not (address or gnr) or not is_merknad(item.not_merknad):
            continue
        if "@" in address and " " not in address:
            continue  # an e-mail address typed as the address: told by e-mail
        name = (item.sender_name or "").strip()
        key = (name.casefold(), " ".join(address.casefold().split()), gnr.casefold())
        if key in rest:
            r = rest[key]
            rest[key] = PostalRecipient(r.name, r.street, r.postcode, r.place, r.property, (*r.references, ref))
            continue
        postal = parse_address(address)
        rest[key] = PostalRecipient(
            name,
            postal.street if postal else address,
            postal.postcode if postal else "",
            postal.place if postal else "",
            gnr,
            (ref,),
        )
    found += rest.values()
    # the høringsinstanser the høring was sent to are told too: by the answer they sent
    # when it is above (or mailed), else by name (their address is in the archive)
    on_list = mailed | {ref for r in found for ref in r.references}
    names = {r.name.casefold() for r in found}
    for party in store.hearing_parties(consultation_id):
        answer = reference(party.input_id) if party.input_id is not None else None
        if (answer and answer in on_list) or party.name.casefold() in names:
            continue
        names.add(party.name.casefold())
        found.append(PostalRecipient(party.name, "", "", "", "", (answer,) if answer else ()))
    return found


def letter_list(store: Store, consultation_id: str, lang: str, actor: User) -> bytes:
    """The varslingsliste's rest, for letters, as an XLSX (also a Word mail merge source).
    Names and addresses: staff only, and the download is audited."""
    who = require(store, actor, Role.PLANNER)
    rows = [
        (", ".join(r.references), r.name, r.street, r.postcode, r.place, r.property)
        for r in recipients(store, consultation_id)
    ]
    columns = [
        t("mail.letters.col_reference", lang),
        t("mail.letters.col_name", lang),
        t("mail.letters.col_address", lang),
        t("mail24b.letters.col_postcode", lang),
        t("mail24b.letters.col_place", lang),
        t("mail.letters.col_property", lang),
    ]
    store.audit(who.username, "vedtak.letters", "consultation", consultation_id, None, str(len(rows)))
    return to_xlsx(pd.DataFrame(rows, columns=columns), [])
