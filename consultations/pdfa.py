"""PDF/A-2b (ISO 19005-2, level B) for the PDFs the app draws itself with fpdf2 (the
merknad for the archive, the resident's receipt): what a Noark 5 archive keeps for the
long term. fpdf2 already embeds the DejaVu fonts it draws with; this adds what PDF/A asks
beside them — an sRGB output intent and XMP metadata naming the part and conformance,
agreeing with the document information. (Word reports go through LibreOffice's own PDF/A
export: ``report.docx_to_pdf``.)"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import fpdf
import pikepdf

# fpdf2 ships the ICC profile of sRGB (IEC 61966-2.1), the colour space it draws in.
_SRGB = Path(fpdf.__file__).with_name("data") / "color_profiles" / "sRGB2014.icc"


@cache
def _profile() -> bytes:
    return _SRGB.read_bytes()


def pdfa_2b(data: bytes, *, title: str, author: str, lang: str = "nb-NO") -> bytes:
    """``data`` (a PDF) as PDF/A-2b: output intent, XMP metadata, language."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        icc = pikepdf.Stream(pdf, _profile())
        icc["/N"] = 3
        pdf.Root.OutputIntents = pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.OutputIntent,
                    S=pikepdf.Name.GTS_PDFA1,
                    OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
                    RegistryName=pikepdf.String("http://www.color.org"),
                    Info=pikepdf.String("sRGB IEC61966-2.1"),
                    DestOutputProfile=icc,
                )
            ]
        )
        pdf.Root.Lang = pikepdf.String(lang)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["dc:creator"] = [author]
            meta["pdf:Producer"] = "Kartinnspill"
            meta["xmp:CreatorTool"] = "Kartinnspill"
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()
