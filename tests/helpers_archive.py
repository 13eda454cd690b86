"""What the archive tests share (issue 13, Fiks Arkiv): the formal hearing «slemmestad-kai», a
merknad added straight to the store, a small PNG, a package's zip read back by folder, a
kvittering as the archive sends it for one journalpost, and the command line run in this
process."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import datetime, timedelta

from PIL import Image

from consultations.outputs import archive
from consultations import cli
from consultations.config import load_profile
from consultations.model import Channel, InputStatus, PlanType, Stage
from consultations.store import Store
from tests.conftest import INSIDE, NOW, make_consultation


PROFILE = load_profile("asker")
CID = "slemmestad-kai"


def formal(**changes):
    fields = dict(
        plan_type=PlanType.DETALJREGULERING,
        stage=Stage.OFFENTLIG_ETTERSYN,
        case_number="24/1234",
        plan_id="3203-2024007",
        title="Detaljregulering Slemmestad kai",
    )
    fields.update(changes)
    return make_consultation(CID, **fields)


def add(
    store: Store,
    text: str = "Promenaden må gå helt ut på kaia.",
    *,
    at: datetime | None = None,
    where: tuple[float, float] | None = INSIDE,
    **kw,
) -> int:
    lat, lon = where if where else (None, None)
    values = dict(
        consultation_id=CID,
        category="Annet",
        text=text,
        lat=lat,
        lon=lon,
        east=None,
        north=None,
        age_group="30_49",
        relation="bor",
        channel=Channel.WEB,
        status=InputStatus.PUBLISHED,
        session_hash="s",
        token=None,
        created_at=at or NOW - timedelta(days=2),
    )
    values.update(kw)
    return store.add_input(**values)[0].id


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def messages(data: bytes) -> dict[str, dict[str, bytes]]:
    """The zip as {folder: {file name: bytes}}."""
    out: dict[str, dict[str, bytes]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            folder, file = name.split("/")
            out.setdefault(folder, {})[file] = z.read(name)
    return out


def receipt(key: str, year: int | None = 2026, seq: int | None = 456, number: int | None = 5) -> bytes:
    """A kvittering as the archive sends it for one journalpost."""
    k = archive.RECEIPT_NS
    numbers = "".join(
        f"<{name}>{value}</{name}>"
        for name, value in (("journalaar", year), ("journalsekvensnummer", seq), ("journalpostnummer", number))
        if value is not None
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<arkivmeldingKvittering xmlns="{k}" xmlns:m="{archive.MDK}"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>{uuid.uuid5(uuid.NAMESPACE_URL, key)}</systemID>
    <referanseEksternNoekkel><m:fagsystem>Kartinnspill</m:fagsystem><m:noekkel>{key}</m:noekkel></referanseEksternNoekkel>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    {numbers}
  </registreringKvittering>
</arkivmeldingKvittering>""".encode()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
