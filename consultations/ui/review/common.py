"""What the review page's tabs share: how an action runs, the planners' tags of a row, and
how one input is named in a choice."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ...model import reference
from ...text import excerpt
from .. import flash


def run(where: str, lang: str, action: Callable[..., str], *args: object) -> None:
    flash.run(f"review-{where}", lang, action, *args)


def tags_of(values: object) -> list[str]:
    """The planners' tags on a row of the analysis frame (its ``themes`` column)."""
    return [str(v) for v in values] if values is not None else []


def row_label(row: pd.Series) -> str:
    return f"{reference(int(row['id']))} · {row['category']} · {excerpt(row['text'], 60)}"
