"""What the review page's tabs share: how an action runs, the planners' tags of a row, and
how one input is named in a choice."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ...model import reference
from ...text import excerpt
from ...store import Store
from .. import flash, per_version


def run(where: str, lang: str, action: Callable[..., str], *args: object) -> None:
    flash.run(f"review-{where}", lang, action, *args)


def tags_of(values: object) -> list[str]:
    """The planners' tags on a row of the analysis frame (its ``themes`` column)."""
    return [str(v) for v in values] if values is not None else []


def row_labels(store: Store, consultation_id: str, frame: pd.DataFrame) -> dict[int, str]:
    """«KI-000123 · category · the text's beginning» for every row of the consultation's
    whole analysis frame, once per data version: a choice among a kommuneplan's 10,000
    merknader is labelled without a loop over rows on every rerun."""

    def make() -> dict[int, str]:
        return {
            int(i): f"{reference(int(i))} · {category} · {excerpt(text, 60)}"
            for i, category, text in zip(frame["id"], frame["category"], frame["text"], strict=True)
        }

    return per_version.memo(store, "review-labels", (consultation_id,), make)
