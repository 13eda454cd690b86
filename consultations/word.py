"""What makes a Word file the app writes a proper case document: its metadata (author and
title from the municipality profile and the consultation, never python-docx's template
«python-docx» of 2013), its language (nb-NO, nn-NO for nynorsk, so spelling and
hyphenation work), a header with the saksnummer and plan-ID, and «side X av Y» in the footer.
"""

from __future__ import annotations

from datetime import datetime

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

LANGUAGE_TAGS = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}


def language_tag(lang: str) -> str:
    return LANGUAGE_TAGS.get(lang, "nb-NO")


def dress(
    doc,
    *,
    title: str,
    author: str,
    lang: str,
    now: datetime,
    subject: str = "",
    keywords: str = "",
    header: str = "",
    footer: str = "",
) -> None:
    """Set the metadata, the language and every section's header and footer; ``footer`` is
    a text with ``{page}`` and ``{pages}`` where Word puts the page number and count."""
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, author, author
    props.subject, props.keywords, props.comments = subject, keywords, ""
    props.category, props.identifier, props.version = "", "", ""
    props.language = language_tag(lang)
    props.created = props.modified = now.replace(tzinfo=None, microsecond=0)
    props.revision = 1
    _language(doc, language_tag(lang))
    first = doc.sections[0]  # later sections link to it (python-docx's default)
    for section in doc.sections[1:]:
        section.header.is_linked_to_previous = section.footer.is_linked_to_previous = True
    if header:
        first.header.paragraphs[0].text = header
    if footer:
        _page_numbers(first.footer.paragraphs[0], footer)


def _language(doc, tag: str) -> None:
    """The language of the document's default run properties and of every style that has
    one, so nothing falls back to the template's en-US."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run = _child(_child(defaults, "w:rPrDefault"), "w:rPr")
    _set_lang(run, tag)
    for lang in styles.iter(qn("w:lang")):
        for name in ("w:val", "w:eastAsia", "w:bidi"):
            if lang.get(qn(name)) is not None or name == "w:val":
                lang.set(qn(name), tag)


def _set_lang(rpr, tag: str) -> None:
    lang = _child(rpr, "w:lang")
    for name in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(name), tag)


def _child(parent, tag: str):
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return found


def _page_numbers(paragraph, template: str) -> None:
    """«side {page} av {pages}» with PAGE and NUMPAGES fields where the braces are."""
    paragraph.text = ""
    rest = template
    while rest:
        cut = min((i for i in (rest.find("{page}"), rest.find("{pages}")) if i >= 0), default=-1)
        if cut < 0:
            paragraph.add_run(rest)
            break
        if cut:
            paragraph.add_run(rest[:cut])
        field = "NUMPAGES" if rest.startswith("{pages}", cut) else "PAGE"
        _field(paragraph, field)
        rest = rest[cut + len("{pages}" if field == "NUMPAGES" else "{page}") :]


def _field(paragraph, code: str) -> None:
    """A simple field Word and LibreOffice update when they lay the page out."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, shown, end):
        run._r.append(element)
