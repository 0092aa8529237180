"""Lawyer's letters (律师函) in batch, at head office: law firms and versioned templates with a closed
set of merge fields, the day's letters made from the ladder's pending `letter` actions, one PDF per
letter and one print file, the mailing manifest and its tracking numbers, and the public check of a
letter's verification code. docs/ladder-letters.md tells the whole story.

* `fields.py`   merge fields and the save-time checks (wording, fields, channels)
* `store.py`    firms and template versions in the database
* `codes.py`    verification codes (random, with a check character)
* `content.py`  what a letter prints, fixed when it is made
* `pdf.py`      the letter drawn on one A4 page; the print file
* `glyphs.py`   the font's subsets, cut and compressed once per template and process
* `making.py`   pending actions → letters → PDFs on record, trail items
* `batch.py`    `letters --date D --out DIR`
* `manifest.py` the manifest (CSV, XLSX) and the tracking import
* `routes.py`   `/api/v1/letters/…`
"""

from __future__ import annotations
