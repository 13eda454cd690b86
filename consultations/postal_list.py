"""The vedtak's varslingsliste for letters: the senders with a postal address or gnr/bnr
who get no e-mail, as an XLSX (also a Word mail merge source). Apart from mail.py, which
the merknadsbehandling's modules import, so that mail never imports the exports."""

from __future__ import annotations

import pandas as pd

from . import mail
from .export import to_xlsx
from .i18n import t
from .model import Role, User
from .permissions import require
from .store import Store


def letter_list(store: Store, consultation_id: str, lang: str, actor: User) -> bytes:
    """The varslingsliste's rest, for letters: every merknad with a postal address or
    gnr/bnr whose sender gets no e-mail, as an XLSX (also a Word mail merge source).
    Names and addresses: staff only, and the download is audited."""
    who = require(store, actor, Role.PLANNER)
    mailed = {f.input_id for f in mail.varslingsliste(store, consultation_id) if f.input_id is not None}
    rows = [
        (i.reference, i.sender_name or "", i.sender_address or "", i.sender_property or "")
        for i in store.all_inputs(consultation_id)
        if (i.sender_address or i.sender_property) and i.id not in mailed
    ]
    columns = [t(f"mail.letters.col_{c}", lang) for c in ("reference", "name", "address", "property")]
    store.audit(who.username, "vedtak.letters", "consultation", consultation_id, None, str(len(rows)))
    return to_xlsx(pd.DataFrame(rows, columns=columns), [])
