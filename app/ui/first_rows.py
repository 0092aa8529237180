"""The Cases list's first page as read at launch: what `app.ui.first_page` hands the main window, and
the window its Cases list, so those rows are shown without reading them again."""

from __future__ import annotations

from typing import NamedTuple

from app.store.queries import CaseQuery, CaseRow


class FirstRows(NamedTuple):
    """A first page read at launch: the query it answers, how many cases match, the first rows."""

    query: CaseQuery
    total: int
    rows: list[CaseRow]
