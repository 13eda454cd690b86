"""The medvirkningsrapport's Word file is a case document like the merknadsbehandling: its
metadata from the municipality profile and the consultation (title, author, subject, the
report's date as created and modified; never python-docx's template of 2013), its language
(nb-NO, nn-NO), a header and «side X av Y» in the footer (issue 21; ``word.dress``)."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest

from consultations.outputs import downloads
from consultations.config import load_profile
from consultations.outputs.medvirkningsrapport import build_medvirkning_report
from consultations.model import InputDraft, Role
from consultations.participation.submission import submit_input
from tests.conftest import INSIDE, NOW, make_consultation, staff

ASKER = load_profile("asker")


@pytest.fixture
def early(store):
    c = make_consultation(
        "borgen-ide", title="Idéfase for Borgen", opens_at=NOW - timedelta(days=30), closes_at=NOW - timedelta(days=1)
    )
    store.add_consultation(c)
    submit_input(
        store, c.id, InputDraft("Annet", "Flere benker ved torget.", *INSIDE), session="s", now=NOW - timedelta(days=5)
    )
    return c


@pytest.mark.parametrize(
    "lang, tag, title, subject",
    [
        ("nb", "nb-NO", "Medvirkningsrapport: Idéfase for Borgen", "Medvirkningsrapport"),
        ("nn", "nn-NO", "Medverknadsrapport: Idéfase for Borgen", "Medverknadsrapport"),
    ],
)
def test_the_medvirkningsrapport_carries_real_metadata_language_header_and_page_numbers(
    store, early, lang, tag, title, subject
):
    data = build_medvirkning_report(store, early.id, profile=ASKER, tiles=None, lang=lang, now=NOW)
    document = docx.Document(io.BytesIO(data))
    props = document.core_properties
    assert (props.title, props.author, props.last_modified_by, props.subject) == (
        title,
        "Asker kommune",
        "Asker kommune",
        subject,
    )
    assert props.language == tag
    assert props.created == props.modified == NOW  # the report's date, in UTC
    assert "python-docx" not in (props.author, props.comments, props.last_modified_by, props.title)
    assert props.revision == 1 and "Idéfase" in props.keywords
    assert f'w:val="{tag}"' in document.styles.element.xml and "en-US" not in document.styles.element.xml
    section = document.sections[0]
    assert section.header.paragraphs[0].text.startswith("Asker kommune ·")
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("side") and " av " in footer.text
    codes = "".join(footer._p.xpath(".//w:instrText/text()"))
    assert "PAGE" in codes and "NUMPAGES" in codes


def test_the_download_a_planner_takes_has_the_same_metadata(store, early):
    data = downloads.report_file(
        store,
        early.id,
        include_names=False,
        profile=ASKER,
        actor=staff(store, "kari", Role.PLANNER),
        kind=downloads.ReportKind.MEDVIRKNING,
        tiles=None,
    )
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.author == "Asker kommune" and props.title == "Medvirkningsrapport: Idéfase for Borgen"
    assert props.created.year >= 2026 and props.language == "nb-NO"
