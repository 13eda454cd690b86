"""The analysis frame's contract: what ``Store.analysis_frame`` hands to the summaries
(``analysis.py``) and exports, the same from every backend. It lives with the store that
keeps it, so the store never imports the modules that read it."""

from __future__ import annotations

import numpy as np
import pandas as pd

# The frame ``Store.analysis_frame`` returns, the same from every backend: its columns in
# order and their pandas dtypes. "str" columns always have a value; "object" columns hold a
# str or None; timestamps are naive UTC; "Int64" integers may be missing (<NA>); ``tags``
# holds a list of the planners' tags (empty when none), in order.
ANALYSIS_FRAME: dict[str, str] = {
    "id": "int64",
    "created_at": "datetime64[us]",
    "category": "str",
    "text": "str",
    "status": "str",
    "channel": "str",
    "lat": "float64",
    "lon": "float64",
    "east": "float64",
    "north": "float64",
    "age_group": "object",
    "relation": "object",
    "answers": "str",
    "sender_type": "object",
    "sender_name": "object",
    "sender_address": "object",
    "sender_property": "object",
    "session_hash": "object",
    "hidden_reason": "object",
    "duplicate_of": "Int64",
    "supports": "int64",
    "tags": "object",
    "response_summary": "object",
    "assessment": "object",
    "outcome": "object",
    "plan_change": "object",
    "response_author": "object",
    "objection": "object",
    "objection_status": "object",
    "not_merknad": "object",
    "not_merknad_note": "object",
    "party_frist": "datetime64[us]",
    "archived_at": "datetime64[us]",
    "journal_year": "Int64",
    "journal_sequence": "Int64",
    "journalpost_number": "Int64",
    "photos": "int64",
    "drawing": "object",
    "measure": "float64",
}


def conform_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """The rows a backend read, in the ``ANALYSIS_FRAME`` columns and dtypes (DuckDB and
    psycopg hand back different types for the same values: int32 or int64, arrays or
    lists, None or NaN). Columns beyond the contract pass through as they came."""
    missing = [name for name in ANALYSIS_FRAME if name not in raw.columns]
    if missing:
        raise ValueError(f"the analysis frame lacks {missing}")
    frame = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for name, dtype in ANALYSIS_FRAME.items():
        column = raw[name].reset_index(drop=True)
        if name == "tags":
            frame[name] = pd.Series(
                [[] if _missing(v) else [str(t) for t in v] for v in column],
                dtype=object,
            )
        elif dtype == "object":
            frame[name] = column.astype(object).where(column.notna(), None)
        else:
            frame[name] = column.astype(dtype)
    for name in raw.columns:
        if name not in frame.columns:
            frame[name] = raw[name].reset_index(drop=True)
    return frame


def _missing(value: object) -> bool:
    """None, NaN or <NA>: a list-valued cell with nothing in it."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
