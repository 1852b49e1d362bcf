"""Emails of the editing workflow, written to the outbox by receivers of the domain events
(directory_app.events), inside the transaction of the change:

- proposal_submitted -> every active TS administrator (topic proposal_received), link to the proposal.
- proposal_decided -> the proposal's author (proposal_decided): approved, approved in part or rejected,
  with the reviewer's comment, link to the proposal.
- entry_published of a change the TS applied itself (an edit, a new entry, an archive, a restore, an
  import; not an approved proposal, not "still correct") -> the active contacts of the entry's country
  (entry_changed), link to the entry's history. The changes of one transaction (an import of many
  entries) make one email per contact, not one per entry.
- account_changed -> the user whose role or country changed (account_changed), link to the sign-in page.

Messages name entries and fields, never a field's value: no hidden location's address reaches an email.
"""

from __future__ import annotations

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from directory_app import events
from directory_app.accounts.models import Role, User
from directory_app.accounts.views import ROLE_LABELS
from directory_app.extensions import db
from directory_app.notifications.batching import enqueue_batched
from directory_app.notifications.outbox import absolute_link, enqueue, site_path
from directory_app.notifications.topics import (
    ACCOUNT_CHANGED,
    ENTRY_CHANGED,
    PROPOSAL_DECIDED,
    PROPOSAL_RECEIVED,
)

KIND_WORDS = {
    "create": _l("added"),
    "update": _l("changed"),
    "archive": _l("archived"),
    "restore": _l("restored to an earlier version"),
}
KIND_SUBJECTS = {
    "create": _l("The Technical Secretariat added “%(name)s”"),
    "update": _l("The Technical Secretariat changed “%(name)s”"),
    "archive": _l("The Technical Secretariat archived “%(name)s”"),
    "restore": _l("The Technical Secretariat restored an earlier version of “%(name)s”"),
}
NOTIFIED_KINDS = frozenset(KIND_WORDS)


def _country(code: str | None) -> str:
    if not code:
        return "—"
    return get_locale().territories.get(code) or code


def _active(role: Role, country_code: str | None = None) -> list[User]:
    query = select(User).where(User.role == role, User.is_active_account.is_(True)).order_by(User.id)
    if country_code is not None:
        query = query.where(User.country_code == country_code)
    return list(db.session.scalars(query))


def _who(user: User | None) -> str:
    return (user.name or user.email) if user is not None else _("the command line")


def on_proposal_submitted(proposal, **_extra) -> None:
    """Tell every TS administrator that a proposal waits for review (one email per transaction: an
    import of many rows lists them all)."""
    author = proposal.author or db.session.get(User, proposal.author_id)
    item = (proposal.id, proposal.name, proposal.country_code, proposal.comment or "")
    for admin in _active(Role.TS_ADMIN):
        if admin.id != proposal.author_id:
            enqueue_batched(
                key="proposal_received",
                user=admin,
                topic=PROPOSAL_RECEIVED,
                item=item,
                compose=lambda items: _proposals_message(author, items),
            )


def _proposals_message(author, items: list) -> tuple:
    if len(items) == 1:
        proposal_id, name, country, comment = items[0]

        def body() -> str:
            text = _(
                "%(author)s (%(country)s) proposed a change to “%(name)s”. It waits for your review.",
                author=_who(author),
                country=_country(country),
                name=name,
            )
            return text + ("\n\n" + _("Their comment: %(comment)s", comment=comment) if comment else "")

        subject = lambda: _("Proposal to review: %(name)s", name=name)  # noqa: E731
        return subject, body, site_path("review.proposal_page", proposal_id=proposal_id)

    def many() -> str:
        lines = [_("%(author)s proposed these changes:", author=_who(author)), ""]
        for proposal_id, name, _country_code, _comment in items:
            lines.append(f"- {name}: {absolute_link(site_path('review.proposal_page', proposal_id=proposal_id))}")
        return "\n".join(lines)

    subject = lambda: ngettext("%(num)d proposal to review", "%(num)d proposals to review", len(items))  # noqa: E731
    return subject, many, site_path("review.queue")


def on_proposal_decided(proposal, **_extra) -> None:
    """Tell the author how their proposal was decided, with the reviewer's comment."""
    author = proposal.author or db.session.get(User, proposal.author_id)
    if author is None or author.id == proposal.reviewer_id:
        return
    enqueue(
        user=author,
        topic=PROPOSAL_DECIDED,
        subject=lambda: _decision_subject(proposal),
        body=lambda: _decision_body(proposal),
        link_path=site_path("review.proposal_page", proposal_id=proposal.id),
    )


def _decision_subject(proposal) -> str:
    status = str(proposal.status)
    if status == "approved":
        return _("Your proposal is approved: %(name)s", name=proposal.name)
    if status == "approved_in_part":
        return _("Your proposal is approved in part: %(name)s", name=proposal.name)
    return _("Your proposal is rejected: %(name)s", name=proposal.name)


def _decision_body(proposal) -> str:
    status = str(proposal.status)
    if status == "approved":
        text = _(
            "The Technical Secretariat approved your proposal for “%(name)s”: it is published.", name=proposal.name
        )
    elif status == "approved_in_part":
        count = len(proposal.kept_published or [])
        text = ngettext(
            "The Technical Secretariat approved your proposal for “%(name)s” in part: %(num)d field was kept "
            "as published.",
            "The Technical Secretariat approved your proposal for “%(name)s” in part: %(num)d fields were kept "
            "as published.",
            count,
            name=proposal.name,
        )
    else:
        text = _("The Technical Secretariat rejected your proposal for “%(name)s”.", name=proposal.name)
    if proposal.review_comment:
        text += "\n\n" + _("The reviewer's comment: %(comment)s", comment=proposal.review_comment)
    return text


def on_entry_published(organisation, *, kind: str, revision, **_extra) -> None:
    """Tell the contacts of the entry's country about a change the TS applied itself."""
    if kind not in NOTIFIED_KINDS or revision.proposal_id is not None or revision.approved_by_id is None:
        return
    approver = db.session.get(User, revision.approved_by_id)
    if approver is None or approver.role != Role.TS_ADMIN:
        return
    item = (kind, organisation.name, organisation.uuid)
    for contact in _active(Role.COUNTRY_CONTACT, organisation.country_code):
        if contact.id != approver.id:
            _add_entry_change(contact, approver, item)


def _add_entry_change(contact: User, approver: User, item: tuple[str, str, str]) -> None:
    def compose(items: list) -> tuple:
        if len(items) == 1:
            link = site_path("review.history", organisation_uuid=items[0][2])
        else:
            link = site_path("review.dashboard")
        return (lambda: _entries_subject(items)), (lambda: _entries_body(approver, items)), link

    enqueue_batched(key="entry_changed", user=contact, topic=ENTRY_CHANGED, item=item, compose=compose)


def _entries_subject(items: list) -> str:
    if len(items) == 1:
        kind, name, _uuid = items[0]
        return str(KIND_SUBJECTS[kind]) % {"name": name}
    return ngettext(
        "The Technical Secretariat changed %(num)d entry of your country",
        "The Technical Secretariat changed %(num)d entries of your country",
        len(items),
    )


def _entries_body(approver: User, items: list) -> str:
    lines = [_("%(who)s, of the Technical Secretariat, made these changes:", who=_who(approver)), ""]
    for kind, name, uuid in items:
        lines.append(f"- {name}: {KIND_WORDS[kind]}")
        link = absolute_link(site_path("review.history", organisation_uuid=uuid))
        lines.append("  " + _("History: %(link)s", link=link))
    return "\n".join(lines)


def on_account_changed(user, *, actor, before, after, **_extra) -> None:
    """Tell a user that their role or country changed (their sessions ended: they sign in again)."""
    role, country = after

    def body() -> str:
        label = str(ROLE_LABELS.get(role, role))
        text = _("%(who)s, of the Technical Secretariat, changed your account.", who=_who(actor))
        text += "\n\n" + _("Your role is now: %(role)s.", role=label)
        if country:
            text += "\n" + _("Your country is now: %(country)s.", country=_country(country))
        return text + "\n\n" + _("Sign in again to work with your new rights.")

    enqueue(
        user=user,
        topic=ACCOUNT_CHANGED,
        subject=lambda: _("Your CAMMINA Directory account changed"),
        body=body,
        link_path=site_path("accounts.login"),
    )


def connect_receivers() -> None:
    """Subscribe the receivers to the domain events (once per process: blinker keeps them)."""
    events.proposal_submitted.connect(on_proposal_submitted)
    events.proposal_decided.connect(on_proposal_decided)
    events.entry_published.connect(on_entry_published)
    events.account_changed.connect(on_account_changed)
