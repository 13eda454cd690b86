"""find_personal_data: recall on what people write, no alarms on what plans are full of."""

from __future__ import annotations

import pytest

from consultations.casework.moderation import find_personal_data, mask_personal_data, remove_personal_data

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def with_control_digits(nine: str) -> str | None:
    """A birth number from its first nine digits, or None when no valid one exists."""
    d = [int(c) for c in nine]
    k1 = (11 - sum(w * x for w, x in zip(K1, d)) % 11) % 11
    if k1 == 10:
        return None
    d.append(k1)
    k2 = (11 - sum(w * x for w, x in zip(K2, d)) % 11) % 11
    if k2 == 10:
        return None
    return nine + str(k1) + str(k2)


def valid_numbers(date_part: str, n: int = 5) -> list[str]:
    found = []
    for serial in range(100, 999):
        number = with_control_digits(f"{date_part}{serial:03d}")
        if number:
            found.append(number)
        if len(found) == n:
            return found
    return found


FNR = valid_numbers("010190") + valid_numbers("311299") + valid_numbers("150575")
DNR = valid_numbers("410190") + valid_numbers("711299")


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal_data(text)]


@pytest.mark.parametrize("number", FNR)
def test_fodselsnummer_with_valid_control_digits_is_found_with_or_without_a_space(number):
    assert kinds(f"Mitt fnr er {number}, ring meg.") == ["fodselsnummer"]
    assert kinds(f"fnr: {number[:6]} {number[6:]}") == ["fodselsnummer"]
    text = f"fnr {number}."
    (finding,) = find_personal_data(text)
    assert text[slice(*finding.span)] == number


@pytest.mark.parametrize("number", DNR)
def test_d_nummer_is_found(number):
    assert kinds(f"D-nummer {number}") == ["d_nummer"]


@pytest.mark.parametrize("number", FNR[:5])
def test_wrong_control_digit_is_not_a_fodselsnummer(number):
    broken = number[:10] + str((int(number[10]) + 1) % 10)
    assert "fodselsnummer" not in kinds(f"nummer {broken}")


@pytest.mark.parametrize(
    "phone",
    ["+47 912 34 567", "0047 91234567", "912 34 567", "22 33 44 55", "91234567", "+4791234567", "412-34-567"],
)
def test_phone_numbers_in_the_forms_people_write_are_found(phone):
    assert kinds(f"Ring meg på {phone} etter kl. 16.") == ["phone"]


@pytest.mark.parametrize("email", ["kari.nordmann@gmail.com", "ola+plan@asker.kommune.no", "X_Y@firma.co.uk"])
def test_email_addresses_are_found(email):
    assert kinds(f"Send svar til {email} takk") == ["email"]


NOT_PERSONAL = [
    "Eiendommen gnr. 45 bnr. 123 i Asker ligger rett ved skolen.",
    "Gnr/bnr 12/345 og 12/346 bør ikke bygges ut.",
    "Postnummer 1384 Asker og 1385 Asker.",
    "I 2024 og 2025 ble det bygget for mye.",
    "Planen har plan-ID 3203202405 i planregisteret.",
    "Planid 32032024007 gjelder Slemmestad kai.",
    "Prosjektet koster 25000000 kr og 12 000 000 kroner til vei.",
    "Tomten er 45000000 kvm? Nei, 4500 m2 og 12345678 m².",
    "Møtet er 12.03.2026 kl. 18:30 i rådhuset.",
    "Bussen går 07:15, 07:45 og 08:15 hver dag.",
    "Det er 1 200 boliger og 3 500 arbeidsplasser i planen.",
    "Fartsgrensen bør ned fra 60 til 40 km/t på strekningen 200 m.",
    "Koordinatene 59.8336, 10.4344 er Asker sentrum.",
    "Kostnad 1 234 567,50 kr ifølge budsjettet.",
    "Saksnummer 24/12345 og arkivkode 611.",
    "Telefonen min er ødelagt, så jeg skriver her.",
    "Vi er 12345 innbyggere i området og 678 hytter.",
    "Høyde kote +12,5 og byggehøyde 23 meter.",
    "Reguleringsbestemmelse § 3.2.1 og § 12-10.",
    "Dato 31.12.2026 og 01.01.2027.",
]


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_plan_numbers_amounts_dates_and_times_are_not_flagged(text):
    assert find_personal_data(text) == []


def test_masking_and_removing_keep_the_rest_of_the_text():
    text = f"Hei, jeg heter Kari, tlf 912 34 567, e-post kari@gmail.com, fnr {FNR[0]}. Mer lys!"
    assert (
        mask_personal_data(text, "[fjernet]")
        == "Hei, jeg heter Kari, tlf [fjernet], e-post [fjernet], fnr [fjernet]. Mer lys!"
    )
    assert remove_personal_data(text) == "Hei, jeg heter Kari, tlf , e-post , fnr . Mer lys!"


def test_recall_and_false_positives_on_the_whole_set():
    """The figures for the closing note: every planted item found, nothing else flagged."""
    planted = [f"fnr {n}" for n in FNR + DNR] + [f"tlf {p}" for p in ["+47 912 34 567", "22 33 44 55", "91234567"]]
    found = sum(bool(find_personal_data(text)) for text in planted)
    false = sum(bool(find_personal_data(text)) for text in NOT_PERSONAL)
    assert (found, len(planted), false) == (len(planted), len(planted), 0)


@pytest.mark.parametrize(
    "text",
    ["Faen så dårlig plan", "Dere er noen jævla idioter", "Politikerne er en gjeng tullinger", "Jeg skal drepe dere"],
)
def test_abusive_words_flag_the_input_for_a_planner(text):
    from consultations.casework.moderation import flags

    assert "abuse" in flags(text)


@pytest.mark.parametrize(
    "text",
    ["Sett opp en fartsdump ved skolen", "Idrettsbanen trenger lys", "Drøft svingen ved Kistefoss", "Dustene i parken"],
)
def test_ordinary_words_are_not_flagged_as_abuse(text):
    from consultations.casework.moderation import find_abuse

    assert find_abuse(text) == []
