"""Every interface string exists in all three locales, and none bypasses the translation layer.

Bokmål (``consultations/locales/nb``) is the reference: nynorsk and English must have a file of
the same name with exactly its keys (plural forms included), each a non-empty string with the
same ``{placeholders}``. The second part reads the page code in ``pages/`` and
``consultations/ui/`` and fails on a letter-bearing literal handed straight to Streamlit.
"""

from __future__ import annotations

import ast
import string
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from consultations.i18n import LANGUAGES, format_date, keys, t

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "consultations" / "locales"
REFERENCE = "nb"
TRANSLATIONS = [lang for lang in LANGUAGES if lang != REFERENCE]
NB_FILES = sorted(p.name for p in (LOCALES / REFERENCE).glob("*.toml"))
ALL_FILES = sorted(p.relative_to(LOCALES).as_posix() for p in LOCALES.glob("*/*.toml"))


def _flatten(table: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _entries(lang: str, name: str) -> dict[str, object]:
    with (LOCALES / lang / name).open("rb") as f:
        return _flatten(tomllib.load(f))


def _placeholders(text: str) -> list[str]:
    """The replacement fields of a format string, ``{{`` and ``}}`` being literal braces."""
    fields = []
    for _literal, field, spec, conversion in string.Formatter().parse(text):
        if field is not None:
            fields.append(f"{field}!{conversion or ''}:{spec or ''}")
    return sorted(fields)


def test_there_is_something_to_compare():
    assert NB_FILES, "no bokmål locale files found"
    assert set(TRANSLATIONS) == {"nn", "en"}


@pytest.mark.parametrize("path", ALL_FILES)
def test_every_locale_file_parses(path):
    with (LOCALES / path).open("rb") as f:
        tomllib.load(f)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_loads_without_clashing_keys(lang):
    assert keys(lang)


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("name", NB_FILES)
def test_every_bokmaal_key_is_translated(lang, name):
    assert (LOCALES / lang / name).is_file(), f"{lang}/{name} is missing"
    reference, translated = _entries(REFERENCE, name), _entries(lang, name)
    missing = sorted(reference.keys() - translated.keys())
    assert not missing, f"{lang}/{name} lacks {missing}"
    empty = sorted(k for k in reference if not isinstance(translated[k], str) or not translated[k].strip())
    assert not empty, f"{lang}/{name}: not a non-empty string: {empty}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("name", NB_FILES)
def test_placeholders_are_the_same_as_in_bokmaal(lang, name):
    assert (LOCALES / lang / name).is_file(), f"{lang}/{name} is missing"
    reference, translated = _entries(REFERENCE, name), _entries(lang, name)
    wrong = {
        key: (_placeholders(str(text)), _placeholders(str(translated[key])))
        for key, text in reference.items()
        if key in translated and _placeholders(str(text)) != _placeholders(str(translated[key]))
    }
    assert not wrong, f"{lang}/{name}: placeholders differ (bokmål, {lang}): {wrong}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_no_key_or_file_that_bokmaal_lacks(lang):
    extra_files = sorted({p.name for p in (LOCALES / lang).glob("*.toml")} - set(NB_FILES))
    assert not extra_files, f"{lang} has files bokmål lacks: {extra_files}"
    extra = {
        name: sorted(_entries(lang, name).keys() - _entries(REFERENCE, name).keys())
        for name in NB_FILES
        if (LOCALES / lang / name).is_file()
    }
    extra = {name: found for name, found in extra.items() if found}
    assert not extra, f"{lang} has keys bokmål lacks: {extra}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_twelve_month_names(lang):
    assert len(t("date.months", lang).split()) == 12


@pytest.mark.parametrize(
    "lang, date, with_time",
    [
        ("nb", "1. januar 2027", "1. januar 2027 kl. 00:30"),
        ("nn", "1. januar 2027", "1. januar 2027 kl. 00:30"),
        ("en", "1 January 2027", "1 January 2027 at 00:30"),
    ],
)
def test_dates_in_each_language(lang, date, with_time):
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already New Year's Day in Oslo
    assert format_date(moment, lang) == date
    assert format_date(moment, lang, with_time=True) == with_time


# --- No user-facing literal bypasses t() -------------------------------------------------

UI_FILES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "consultations" / "ui").glob("*.py")])

# Streamlit calls whose first positional argument is text the user reads.
TEXT_CALLS = {
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "write",
    "text",
    "info",
    "warning",
    "error",
    "success",
    "button",
    "form_submit_button",
    "checkbox",
    "radio",
    "selectbox",
    "multiselect",
    "text_input",
    "text_area",
    "date_input",
    "time_input",
    "file_uploader",
    "download_button",
    "page_link",
    "metric",
    "expander",
    "tabs",
    "toggle",
}
TEXT_KEYWORDS = {"label", "help", "placeholder", "body"}
# page_link's first argument is the page (a path or URL), not text; its text is label=.
FIRST_ARG_NOT_TEXT = {"page_link"}
# Receivers that share a method name with Streamlit but never reach the page.
NOT_STREAMLIT = {"logging", "logger", "log", "_log", "LOG", "warnings"}


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _literal_text(node: ast.AST | None) -> Iterator[str]:
    """The literal text an argument contributes to what is shown, placeholders left out."""
    match node:
        case ast.Constant(value=str() as text):
            try:
                yield from (literal for literal, *_ in string.Formatter().parse(text))
            except ValueError:  # not a format string: all of it is literal
                yield text
        case ast.JoinedStr(values=parts):  # f-string: its literal parts, and literals inside {…}
            for part in parts:
                if isinstance(part, ast.Constant):
                    yield str(part.value)
                elif isinstance(part, ast.FormattedValue):
                    yield from _literal_text(part.value)
        case ast.IfExp(body=body, orelse=orelse):
            yield from _literal_text(body)
            yield from _literal_text(orelse)
        case ast.BoolOp(values=values):
            for value in values:
                yield from _literal_text(value)
        case ast.BinOp(left=left, right=right):  # "a" + b, "a %s" % b
            yield from _literal_text(left)
            yield from _literal_text(right)
        case ast.List(elts=elts) | ast.Tuple(elts=elts):  # st.tabs([...])
            for elt in elts:
                yield from _literal_text(elt)
        case ast.ListComp(elt=elt) | ast.GeneratorExp(elt=elt):
            yield from _literal_text(elt)
        case ast.Call(func=ast.Attribute(value=ast.Constant(value=str()) as template), args=args):
            yield from _literal_text(template)  # "…".format(…), "…".join(…)
            for arg in args:
                yield from _literal_text(arg)


def _user_text_arguments(call: ast.Call) -> Iterator[ast.AST]:
    func = call.func
    if not isinstance(func, ast.Attribute) or _root(func) in NOT_STREAMLIT:
        return
    name = func.attr
    column = name.endswith("Column") and name[:1].isupper()  # st.column_config.TextColumn(…)
    if name in TEXT_CALLS or column:
        if call.args and name not in FIRST_ARG_NOT_TEXT:
            yield call.args[0]
        for keyword in call.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                yield keyword.value
    if name in {"dataframe", "data_editor"}:  # column_config={"col": "Label"} is a label too
        for keyword in call.keywords:
            if keyword.arg == "column_config" and isinstance(keyword.value, ast.Dict):
                yield from (v for v in keyword.value.values if not isinstance(v, ast.Call))


def untranslated_literals() -> list[str]:
    found = []
    for path in UI_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for argument in _user_text_arguments(node):
                if any(ch.isalpha() for text in _literal_text(argument) for ch in text):
                    line = getattr(argument, "lineno", node.lineno)
                    found.append(f"{path.relative_to(ROOT).as_posix()}:{line}")
    return sorted(set(found), key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def test_the_checker_finds_literals_and_lets_keys_through():
    code = """
import streamlit as st
st.title("Høringer")
st.button(label=f"Send {n} innspill")
st.tabs([t("a", lang), "Kart"])
st.column_config.TextColumn("Tittel", help=t("x", lang))
st.markdown(f"**{t('a', lang)}**")
st.caption("{ref} · {date}")
st.write("" if x else "—")
st.text_input(t("k", lang), key="username", placeholder=t("p", lang))
st.page_link("pages/home.py", label=t("home.title", lang))
logger.warning("not shown to users")
"""
    flagged = [
        node.lineno
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call)
        and any(any(ch.isalpha() for text in _literal_text(arg) for ch in text) for arg in _user_text_arguments(node))
    ]
    assert sorted(flagged) == [3, 4, 5, 6]


def test_no_user_facing_literal_bypasses_the_translation_layer():
    found = untranslated_literals()
    assert not found, "literal text passed to Streamlit; use t()/tn(): " + ", ".join(found)
