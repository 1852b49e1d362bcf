"""One email per recipient per transaction: an import of 300 rows, or a save that touches several
entries, tells each person once, listing everything, instead of 300 times.

`enqueue_batched(key=..., user=..., topic=..., item=..., compose=...)` keeps, in the session's info and for
the current transaction only, the message written for (key, user) and the items it lists. The first item
writes the message (through `outbox.enqueue`, which applies the person's setting); each later item of the
same transaction is added to the list and the message is rendered again. `compose(items)` returns
(subject, body, link_path) as callables/strings for `outbox.render`, called in the recipient's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from directory_app.extensions import db
from directory_app.notifications.outbox import enqueue, render

_INFO_KEY = "notifications_batches"


def _batches() -> dict:
    transaction = db.session().get_transaction()
    state = db.session.info.get(_INFO_KEY)
    if state is None or state[0] is not transaction:
        state = (transaction, {})
        db.session.info[_INFO_KEY] = state
    return state[1]


def enqueue_batched(*, key: str, user, topic: str, item: Any, compose: Callable[[list], tuple]) -> None:
    """Add `item` to this transaction's message of `key` for `user` (writing it on the first item)."""
    batches = _batches()
    slot = (key, user.id)
    if slot in batches:
        message, items = batches[slot]
        if message is None:  # the person receives nothing of this topic
            return
        items.append(item)
        subject, body, link_path = compose(items)
        _, message.subject, message.body_text = render(user, subject, body, link_path)
        db.session.flush()
        return
    items = [item]
    subject, body, link_path = compose(items)
    message = enqueue(user=user, topic=topic, subject=subject, body=body, link_path=link_path)
    batches[slot] = (message, items)
