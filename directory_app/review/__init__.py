"""Editing workflow: change proposals, review by the Technical Secretariat, history (revisions),
restore, archive and freshness. See services.py for the rules."""
