"""The directory's domain events, as blinker signals: a lower floor announces, an upper floor listens.

review (which publishes changes) must not import the features that react to them (notifications,
watches, feeds sit on floors above or beside it); it sends a signal here instead, and the app factory
connects the receivers. Receivers run synchronously, inside the request's transaction: whatever they
write (an outbox row) is committed with the change, or rolled back with it. They only flush.

    entry_writing    sender: an Organisation about to be changed by an applied change (review's
                     apply_snapshot), before anything is written: a receiver may note what it needs
                     of the state before (e.g. the districts it serves now).
    entry_published  sender: the Organisation, after an applied change was recorded as a revision
                     (every applied change: the TS's edits, approved proposals, restores, archives,
                     "still correct", imports). Keyword arguments: before (snapshot, None for a new
                     entry), after (snapshot), kind (the revision's kind, a string), revision.
    proposal_submitted  sender: a ChangeProposal just written (flushed), waiting for review.
    proposal_decided    sender: a ChangeProposal just approved, approved in part or rejected (status,
                        reviewer_id, review_comment set; organisation_id set for an approved new entry).
    account_changed     sender: a User whose role or country was changed. Keyword arguments: actor
                        (the TS administrator), before and after ((role, country_code) pairs).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

entry_writing = _signals.signal("entry-writing")
entry_published = _signals.signal("entry-published")
proposal_submitted = _signals.signal("proposal-submitted")
proposal_decided = _signals.signal("proposal-decided")
account_changed = _signals.signal("account-changed")
