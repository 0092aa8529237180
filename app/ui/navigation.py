"""The window's pages in the navigation's order, and how a page's title reads in that column.

Shared by the main window, which builds the pages, and the first page shown at launch
(`app.ui.first_page`), which draws the same column before the pages exist.
"""

from __future__ import annotations

import re

PAGE_TODAY, PAGE_CASES, PAGE_MAP, PAGE_SYNC, PAGE_REPORTS, PAGE_ROUTE = range(6)
# The supervisor's rooms follow PAGE_ROUTE (shown only to a supervisor or admin).


def nav_text(title: str) -> str:
    """A page's title as the navigation column shows it: without its mnemonic ("&Cases", "案件(&C)")."""
    return re.sub(r"\(&\w\)|&", "", title)
