"""An organisation as exports write it and the import compares it: organisations.entry_of.exchange_snapshot
(the one builder of an organisation's data), under the name exports and the importer use."""

from __future__ import annotations

from directory_app.organisations.entry_of import PRECISION, exchange_snapshot

organisation_snapshot = exchange_snapshot

__all__ = ["PRECISION", "organisation_snapshot"]
