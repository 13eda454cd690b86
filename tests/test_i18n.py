from datetime import UTC, datetime

import pytest

from consultations.i18n import format_date, keys, t, tn


def test_bokmaal_catalogue_loads_and_every_entry_has_text():
    catalogue = keys("nb")
    assert "form.submit" in catalogue
    assert all(t(k) for k in catalogue if not k.startswith("date."))


def test_missing_key_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        t("no.such.key")


def test_other_language_falls_back_to_bokmaal_for_a_key_not_yet_translated(monkeypatch):
    from consultations import i18n

    original = i18n._catalogue
    english = dict(original("en"))
    english.pop("form.submit")
    monkeypatch.setattr(i18n, "_catalogue", lambda lang: english if lang == "en" else original(lang))
    assert t("form.submit", "en") == "Send innspill"


def test_nynorsk_and_english_are_there():
    assert t("form.submit", "nn") == "Send innspel"
    assert t("form.submit", "en") == "Send comment"


@pytest.mark.parametrize("n, text", [(0, "Ingen innspill ennå"), (1, "1 innspill"), (7, "7 innspill")])
def test_plural_forms(n, text):
    assert tn("home.inputs", n) == text


def test_dates_are_written_in_norwegian_local_time():
    # 23:30 UTC on 31 December is already New Year's Day in Oslo
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert format_date(moment) == "1. januar 2027"
    assert format_date(moment, "nb", with_time=True) == "1. januar 2027 kl. 00:30"
