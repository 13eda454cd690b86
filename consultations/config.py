"""Settings from the environment, with ``.streamlit/secrets.toml`` as the alternative.

The environment wins; a top-level key of the same name in secrets.toml is used otherwise.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse, urlsplit

from .addresses import Networks, parse_networks
from .background_gc import Policy
from .background_gc import parse as parse_background_gc
from .errors import ConfigError
from .geo import LINE_OUTSIDE_SHARE
from .i18n import LANGUAGES
from .model import Identification, SenderType
from .ratelimit import DEFAULT_LIMITS, Limits

PROFILES = Path(__file__).with_name("profiles")
SECRETS = Path(".streamlit/secrets.toml")


@dataclass(frozen=True)
class TileLayer:
    url: str
    attribution: str
    max_zoom: int = 18


_KARTVERKET = "https://cache.kartverket.no/v1/wmts/1.0.0/{layer}/default/webmercator/{{z}}/{{y}}/{{x}}.png"
_KARTVERKET_ATTRIBUTION = '&copy; <a href="https://www.kartverket.no/">Kartverket</a>'
TILE_PRESETS: dict[str, TileLayer | None] = {
    "kartverket-topo": TileLayer(_KARTVERKET.format(layer="topo"), _KARTVERKET_ATTRIBUTION),
    "kartverket-graatone": TileLayer(_KARTVERKET.format(layer="topograatone"), _KARTVERKET_ATTRIBUTION),
    "osm": TileLayer(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bidragsytere',
        max_zoom=19,
    ),
    "none": None,
}
_PLACEHOLDERS = re.compile(r"\{[xyz]\}")


@dataclass(frozen=True)
class ArchiveProfile:
    """How merknader go to the municipality's Noark 5 archive through Fiks Arkiv
    (``[archive]`` in the profile; archive.py)."""

    system: str = "Kartinnspill"  # «system» in each arkivmelding and «fagsystem» in its keys
    report_type: str = "N"  # journalposttype of the merknadsbehandling: N (organinternt) or X
    # a private person's name marked for skjerming: off by default (a name on a planmerknad is
    # public); documents are screened by their content instead (content_screening_basis)
    screen_private_names: bool = False
    access_code: str = "13"  # tilgangsrestriksjon for that skjerming
    screening_basis: str = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"  # skjermingshjemmel
    # a document whose text holds personal data (health, fødselsnummer …): its skjermingshjemmel
    content_screening_basis: str = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
    plan_classification: str = "PLANID"  # ordningsprinsipp of the plan-ID klassering
    property_classification: str = "GBNR"  # ordningsprinsipp of the gnr/bnr klassering
    report_pdf: bool = False  # the merknadsbehandling also as PDF/A-2b (needs LibreOffice)


@dataclass(frozen=True)
class Municipality:
    name: str
    kommunenummer: str
    working_crs: int
    languages: tuple[str, ...]
    centre: tuple[float, float]
    zoom: int
    categories: tuple[str, ...]
    tiles: str = "kartverket-topo"  # KARTINNSPILL_TILES overrides it
    limits: Limits = DEFAULT_LIMITS  # [limits] in the profile: submissions, supports
    # the municipality's planinnsyn for one plan: {kommunenummer} and {plan_id} filled in
    planinnsyn: str = ""
    # in a formal høring a resident "may" or "must" give name and address or gnr/bnr
    identified_merknader: Identification = Identification.MAY
    # the postal route for residents who cannot use the web: the postmottak's address and
    # e-mail, shown on every consultation page
    postal_address: str = ""
    postmottak_email: str = ""
    # regional and state authorities staff choose from when registering their merknader
    authorities: tuple[str, ...] = ()
    # the høringsinstanser a formal høring is sent to unless staff change the list:
    # (name, sender type)
    hearing_parties: tuple[tuple[str, SenderType], ...] = ()
    archive: ArchiveProfile = ArchiveProfile()
    # the merknadsbehandling's column titles, per language («Kommunedirektørens vurdering»,
    # «… forslag»; «Rådmannens …» elsewhere); a language left out takes the locale's words
    assessment_title: tuple[tuple[str, str], ...] = ()  # (language, title)
    proposal_title: tuple[tuple[str, str], ...] = ()
    # the address register the demo loads (Kartverket's «Adresser» CSV layout), a file in
    # geodata/; a real deployment runs import-addresses with Kartverket's own file instead
    demo_addresses: str = ""
    # how much of a route a resident draws may run outside the plan area (0–1; [drawing]
    # line_outside_share in the profile): a way to school starts at home, often outside
    line_outside_share: float = LINE_OUTSIDE_SHARE
    # an input with photos waits for a planner whatever the consultation's moderation mode
    # ([moderation] photos_premoderated; security N10): a stranger's face or a number
    # plate in a photo must not be public before a person has looked
    photos_premoderated: bool = True
    # named places residents choose from and summaries name («near Heggedal»): a
    # ``name,kind,lat,lon`` CSV (WGS84) in geodata/; none when empty
    places: str = ""
    # the CRSs planners may export in, the working CRS first (the default); from
    # ``export_crs`` in the profile, as EPSG codes
    export_crs: tuple[int, ...] = ()
    # the licence of the open data (``[open_data]`` in the profile): name and address
    open_data_licence: str = "Norsk lisens for offentlige data (NLOD) 2.0"
    open_data_licence_url: str = "https://data.norge.no/nlod/no/2.0"

    @property
    def export_choices(self) -> tuple[int, ...]:
        """The export CRSs, the working CRS first (also when the profile leaves it out)."""
        return tuple(dict.fromkeys((self.working_crs, *self.export_crs)))


@dataclass(frozen=True)
class Settings:
    db_path: Path | str  # a DuckDB file, or a postgresql:// URL
    tiles: TileLayer | None
    demo: bool
    profile: Municipality
    rate_limits: bool = True  # KARTINNSPILL_RATE_LIMITS=off only for load tests
    # proxies whose X-Forwarded-For is believed (KARTINNSPILL_TRUSTED_PROXIES); none by default
    trusted_proxies: Networks = ()
    # the key behind every address and session hash (KARTINNSPILL_SECRET); without it, a
    # file made on first run (KARTINNSPILL_SECRET_FILE, default next to the database)
    secret: str | None = None
    secret_file: Path | None = None
    # Origins that may show the resident pages in a frame (KARTINNSPILL_FRAME_ANCESTORS);
    # none by default. Staff pages are never framed.
    frame_ancestors: tuple[str, ...] = ()
    staff_idle_minutes: int = 30  # KARTINNSPILL_STAFF_IDLE_MINUTES: a local login ends idle
    # KARTINNSPILL_OIDC_VERIFIED_ISSUERS: issuers (the token's "iss") whose e-mail addresses
    # are all verified, for providers that send no email_verified claim
    oidc_verified_issuers: tuple[str, ...] = ()
    # KARTINNSPILL_WMS_LOOPBACK=on, for tests and a developer's machine only: a WMS layer on
    # this machine's loopback (http allowed). Off: WMS hosts are public DNS names over https.
    wms_loopback: bool = False
    # KARTINNSPILL_BACKGROUND_GC: freeze the import-time heap at start-up, or off
    background_gc: Policy = Policy.FREEZE
    # KARTINNSPILL_WARMUP=off: the server says ready without first running its pages once
    warmup: bool = True


def parse_tiles(value: str, attribution: str | None = None) -> TileLayer | None:
    """A preset name or a URL template with {z}, {x} and {y}."""
    value = value.strip()
    if value in TILE_PRESETS:
        return TILE_PRESETS[value]
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError("config.tiles_invalid", value=value, presets=", ".join(TILE_PRESETS))
    if set(_PLACEHOLDERS.findall(value)) != {"{x}", "{y}", "{z}"}:
        raise ConfigError("config.tiles_placeholders", value=value)
    return TileLayer(value, attribution or parsed.netloc)


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def parse_frame_ancestors(value: str) -> tuple[str, ...]:
    """Origins (``https://www.asker.kommune.no``), separated by spaces or commas; empty or
    ``none`` for none. Anything else is refused: the list goes into a response header."""
    origins = tuple(o for o in re.split(r"[\s,]+", value.strip()) if o)
    if origins in ((), ("none",), ("'none'",)):
        return ()
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ConfigError("config.frame_ancestors_invalid", value=origin)
    return origins


def load_profile(name: str) -> Municipality:
    path = PROFILES / f"{name}.toml"
    if not re.fullmatch(r"[a-z0-9_-]+", name) or not path.exists():
        raise ConfigError("config.profile_unknown", name=name)
    with path.open("rb") as f:
        data = tomllib.load(f)
    return Municipality(
        name=data["name"],
        kommunenummer=data["kommunenummer"],
        working_crs=int(data["working_crs"]),
        languages=tuple(data["languages"]),
        centre=(float(data["centre"][0]), float(data["centre"][1])),
        zoom=int(data["zoom"]),
        categories=tuple(data["categories"]),
        tiles=data.get("tiles", "kartverket-topo"),
        limits=_limits(name, data.get("limits", {})),
        planinnsyn=data.get("planinnsyn", ""),
        identified_merknader=_identification(name, data.get("identified_merknader", "may")),
        postal_address=data.get("postal_address", ""),
        postmottak_email=data.get("postmottak_email", ""),
        authorities=tuple(data.get("authorities", ())),
        hearing_parties=_hearing_parties(name, data.get("hearing_parties", ())),
        archive=_archive(name, data.get("archive", {})),
        assessment_title=_per_language(name, data.get("assessment_title", {})),
        proposal_title=_per_language(name, data.get("proposal_title", {})),
        demo_addresses=data.get("demo_addresses", ""),
        places=data.get("places", ""),
        export_crs=_export_crs(name, data.get("export_crs", [4326])),
        **_open_data(name, data.get("open_data", {})),
        line_outside_share=_share(name, data.get("drawing", {}).get("line_outside_share", LINE_OUTSIDE_SHARE)),
        photos_premoderated=_flag(
            name, "photos_premoderated", data.get("moderation", {}).get("photos_premoderated", True)
        ),
    )


def _flag(profile: str, setting: str, value: object) -> bool:
    """A true/false setting of the profile; anything else stops the app with its name."""
    if not isinstance(value, bool):
        raise ConfigError("config.flag_invalid", name=profile, setting=setting, value=str(value))
    return value


def _share(profile: str, value: object) -> float:
    """A share between 0 and 1 (the profile's ``[drawing] line_outside_share``)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError("config.share_invalid", name=profile, value=value)
    return float(value)


def _open_data(profile: str, table: Mapping[str, object]) -> dict[str, str]:
    """``[open_data] licence = "…", licence_url = "https://…"``; NLOD 2.0 when left out."""
    given = {}
    if "licence" in table:
        given["open_data_licence"] = str(table["licence"]).strip()
    if "licence_url" in table:
        given["open_data_licence_url"] = str(table["licence_url"]).strip()
    if any(not v for v in given.values()) or not urlparse(
        given.get("open_data_licence_url", "https://x")
    ).scheme.startswith("http"):
        raise ConfigError("opendata.config_licence_invalid", name=profile)
    return given


def _export_crs(profile: str, values: object) -> tuple[int, ...]:
    from .geo import is_known_crs

    try:
        codes = tuple(int(str(v).upper().removeprefix("EPSG:")) for v in values)  # type: ignore[union-attr]
    except (TypeError, ValueError) as exc:
        raise ConfigError("config.export_crs_invalid", name=profile, value=str(values)) from exc
    for code in codes:
        if not is_known_crs(code):
            raise ConfigError("config.export_crs_invalid", name=profile, value=f"EPSG:{code}")
    return codes


def current_profile() -> Municipality:
    """The profile this process runs with (``KARTINNSPILL_PROFILE``, or secrets.toml): for
    core functions a caller asks without naming one."""
    name = os.environ.get("KARTINNSPILL_PROFILE") or str(_secrets(SECRETS).get("KARTINNSPILL_PROFILE", "asker"))
    return _profile(name)


@cache
def _profile(name: str) -> Municipality:
    return load_profile(name)


def _archive(profile: str, table: Mapping[str, object]) -> ArchiveProfile:
    try:
        archive = ArchiveProfile(**{k: v for k, v in table.items()})
    except TypeError as exc:
        raise ConfigError("config.archive_invalid", name=profile, reason=str(exc)) from None
    if archive.report_type not in ("N", "X"):
        raise ConfigError("config.archive_invalid", name=profile, reason=f"report_type = {archive.report_type!r}")
    if not (archive.system.strip() and archive.access_code.strip() and archive.screening_basis.strip()):
        raise ConfigError("config.archive_invalid", name=profile, reason="empty value")
    return archive


def _per_language(profile: str, value: object) -> tuple[tuple[str, str], ...]:
    """A text the profile gives for all languages (a string) or per language (a table)."""
    if isinstance(value, str):
        return tuple((lang, value) for lang in LANGUAGES)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return tuple(value.items())
    raise ConfigError("report11.config_title_invalid", name=profile)


def _identification(profile: str, value: object) -> Identification:
    try:
        return Identification(value)
    except ValueError:
        raise ConfigError("config.identified_invalid", name=profile, value=value) from None


def _hearing_parties(profile: str, entries: object) -> tuple[tuple[str, SenderType], ...]:
    """``[{ name = "…", sender_type = "offentlig_myndighet" }, …]`` from the profile."""
    try:
        return tuple((str(e["name"]).strip(), SenderType(e["sender_type"])) for e in entries)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError("config.hearing_parties_invalid", name=profile, reason=str(exc)) from None


def _limits(profile: str, table: Mapping[str, Mapping[str, object]]) -> Limits:
    try:
        return Limits.from_profile(table)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError("config.limits_invalid", name=profile, reason=str(exc)) from None


def _secrets(path: Path) -> Mapping[str, object]:
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def load_settings(env: Mapping[str, str] | None = None, secrets_path: Path = SECRETS) -> Settings:
    env = os.environ if env is None else env
    secrets = _secrets(secrets_path)

    def get(name: str, default: str) -> str:
        if name in env:
            return env[name]
        return str(secrets.get(name, default))

    profile = load_profile(get("KARTINNSPILL_PROFILE", "asker"))
    db = get("KARTINNSPILL_DB", "data/kartinnspill.duckdb").strip()
    # a postgresql:// URL is the shared store (kept as text: Path would fold its //)
    db_path: Path | str = db if db.startswith(("postgresql://", "postgres://")) else Path(db)
    beside = db_path.with_name("secret.key") if isinstance(db_path, Path) else Path("data/secret.key")
    return Settings(
        db_path=db_path,
        tiles=parse_tiles(
            get("KARTINNSPILL_TILES", profile.tiles),
            get("KARTINNSPILL_TILES_ATTRIBUTION", "") or None,
        ),
        demo=get("KARTINNSPILL_DEMO", "0").strip().lower() in ("1", "true", "yes", "ja"),
        profile=profile,
        rate_limits=get("KARTINNSPILL_RATE_LIMITS", "on").strip().lower() not in ("off", "0"),
        trusted_proxies=parse_networks(get("KARTINNSPILL_TRUSTED_PROXIES", "")),
        secret=get("KARTINNSPILL_SECRET", "").strip() or None,
        secret_file=Path(get("KARTINNSPILL_SECRET_FILE", "") or beside),
        frame_ancestors=parse_frame_ancestors(get("KARTINNSPILL_FRAME_ANCESTORS", "")),
        staff_idle_minutes=parse_idle_minutes(get("KARTINNSPILL_STAFF_IDLE_MINUTES", "30")),
        oidc_verified_issuers=tuple(
            i.strip() for i in get("KARTINNSPILL_OIDC_VERIFIED_ISSUERS", "").split(",") if i.strip()
        ),
        background_gc=parse_background_gc(get("KARTINNSPILL_BACKGROUND_GC", "freeze")),
        wms_loopback=get("KARTINNSPILL_WMS_LOOPBACK", "off").strip().lower() in ("on", "1", "true", "yes"),
        warmup=get("KARTINNSPILL_WARMUP", "on").strip().lower() not in ("off", "0", "false", "no"),
    )


def parse_idle_minutes(value: str) -> int:
    """Whole minutes from 1 to a day (a longer idle login is no timeout)."""
    try:
        minutes = int(value.strip())
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 24 * 60:
        raise ConfigError("config.idle_invalid", value=value)
    return minutes


# -- mail (consultations/mail.py, mail_sender.py) ---------------------------------------------


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes: ``KARTINNSPILL_SMTP_URL`` (``smtp://user:password@host:587`` for
    STARTTLS, ``smtps://…:465`` for implicit TLS; user and password optional, for a relay
    that trusts the host) and ``KARTINNSPILL_MAIL_FROM``. No URL: mail stays queued."""

    scheme: str  # smtp or smtps
    host: str
    port: int
    username: str
    password: str
    sender: str  # KARTINNSPILL_MAIL_FROM
    starttls: bool = True  # smtp://…?starttls=off only for a relay on the same host or tests
    cafile: str = ""  # ?cafile=/path: the CA of a relay with the municipality's own certificate
    poll_seconds: float = 15.0  # KARTINNSPILL_MAIL_POLL_SECONDS: the app's sender's pause between rounds

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand part of every Message-ID."""
        return self.sender.rpartition("@")[2] or self.host


def _env_or_secret(name: str, env: Mapping[str, str] | None) -> str:
    env = os.environ if env is None else env
    return str(env[name] if name in env else _secrets(SECRETS).get(name, ""))


def public_url(env: Mapping[str, str] | None = None) -> str:
    """The app's address as residents reach it (``KARTINNSPILL_PUBLIC_URL``), for the links
    in mails: ``http://localhost:8501`` unless set."""
    return (_env_or_secret("KARTINNSPILL_PUBLIC_URL", env).strip() or "http://localhost:8501").rstrip("/")


def mail_settings(env: Mapping[str, str] | None = None) -> MailSettings | None:
    """The SMTP server and sender from the environment (or secrets.toml); ``None`` when
    no server is set. A ``ConfigError`` names what is wrong (never the password)."""
    raw = _env_or_secret("KARTINNSPILL_SMTP_URL", env).strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ConfigError("mail.smtp_invalid", value=_without_password(raw)) from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("mail.smtp_invalid", value=_without_password(raw))
    sender = _env_or_secret("KARTINNSPILL_MAIL_FROM", env).strip()
    if "@" not in sender:
        raise ConfigError("mail.mail_from_missing")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["on"])[-1].lower() not in ("off", "0", "no")
    return MailSettings(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or (465 if parts.scheme == "smtps" else 587),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        sender=sender,
        starttls=starttls,
        cafile=query.get("cafile", [""])[-1],
        poll_seconds=_poll_seconds(_env_or_secret("KARTINNSPILL_MAIL_POLL_SECONDS", env)),
    )


def _poll_seconds(value: str) -> float:
    try:
        seconds = float(value.strip() or 15)
    except ValueError:
        seconds = 0.0
    if not 0.1 <= seconds <= 3600:
        raise ConfigError("mail.poll_invalid", value=value)
    return seconds


def _without_password(url: str) -> str:
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:…@", url)
