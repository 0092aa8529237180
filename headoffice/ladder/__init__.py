"""The escalation ladder at head office: reminders (SMS) → lawyer's letter → door visit → legal action
or agency, run by head office from per-team policies, with the evidence for every visit trigger and
a trail the agent's laptop shows on the case.

* `models.py`   the tables (policies, levels, moves, actions, the trail, evidence, SMS, letters)
"""

from __future__ import annotations
