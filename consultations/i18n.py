"""Translation layer: every user-facing string is looked up here by key.

Each language is a folder of TOML files, ``consultations/locales/<lang>/*.toml``, one per
part of the app; their tables merge into one catalogue (a key defined twice is an error).
Bokmål is the default and the fallback for keys another locale does not have yet.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_LANG = "nb"
LANGUAGES = ("nb", "nn", "en")
_LOCALES = Path(__file__).with_name("locales")


@cache
def _catalogue(lang: str) -> dict[str, str]:
    catalogue: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.toml")):
        with path.open("rb") as f:
            entries = _flatten(tomllib.load(f))
        if clash := catalogue.keys() & entries.keys():
            raise ValueError(f"{path}: keys defined in another file too: {sorted(clash)}")
        catalogue.update(entries)
    return catalogue


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def keys(lang: str = DEFAULT_LANG) -> set[str]:
    return set(_catalogue(lang))


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """The text for ``key`` in ``lang`` (falling back to bokmål), formatted with ``params``."""
    text = _catalogue(lang).get(key) or _catalogue(DEFAULT_LANG).get(key)
    if text is None:
        raise KeyError(f"missing translation key: {key}")
    return text.format(**params) if params else text


def tn(key: str, n: int, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """The plural form of ``key`` for ``n`` (``.zero`` when given, ``.one``, ``.other``)."""
    forms = _catalogue(lang) if f"{key}.other" in _catalogue(lang) else _catalogue(DEFAULT_LANG)
    form = "zero" if n == 0 and f"{key}.zero" in forms else "one" if n == 1 else "other"
    return t(f"{key}.{form}", lang, n=n, **params)


LOCAL_TZ = ZoneInfo("Europe/Oslo")


def format_date(value: datetime, lang: str = DEFAULT_LANG, /, with_time: bool = False) -> str:
    """A date (and time) in Norwegian local time, written out the way the locale does."""
    local = value.astimezone(LOCAL_TZ)
    month = t("date.months", lang).split()[local.month - 1]
    return t(
        "date.datetime" if with_time else "date.date",
        lang,
        day=local.day,
        month=month,
        year=local.year,
        hh=f"{local.hour:02d}",
        mm=f"{local.minute:02d}",
    )
