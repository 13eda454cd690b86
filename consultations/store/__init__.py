"""The only place in the code that runs SQL: the schema (``migrations``) and the ``Store``.

Everything outside this package imports from here, never from a module inside it.
"""

from ..errors import DuplicateText, SupportedFromAddress
from .casefile import CaseFacts, FirstDecision, Letter
from .core import ArchivedInput, ArchiveRecord, Store
from .frame import ANALYSIS_FRAME, conform_frame
from .migrations import LATEST, MIGRATIONS, SCHEMA_VERSION_TABLE

__all__ = [
    "ANALYSIS_FRAME",
    "LATEST",
    "MIGRATIONS",
    "SCHEMA_VERSION_TABLE",
    "ArchiveRecord",
    "ArchivedInput",
    "CaseFacts",
    "FirstDecision",
    "Letter",
    "DuplicateText",
    "Store",
    "SupportedFromAddress",
    "conform_frame",
]
