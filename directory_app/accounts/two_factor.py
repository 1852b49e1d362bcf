"""Two-step sign-in: a time-based one-time password (TOTP, RFC 6238, with pyotp) after the password,
or one of ten one-time recovery codes.

- Required of the Technical Secretariat when APP_ENV=production (`must_enrol`: such a user is sent to
  enrolment right after the password and can do nothing else until enrolled); offered to every other
  user from their Password page. Demo accounts and development sign in with a password alone.
- Enrolment: a random seed (160 bits from `secrets`, pyotp.random_base32) shown as a QR code (segno,
  inline SVG drawn here: no image service, nothing the CSP forbids) and as text; the first right code
  turns it on and gives the recovery codes, shown once.
- A code is accepted in the previous, current or next 30-second step, and only for a step later than
  the last one accepted (User.totp_last_step, moved forward by one conditional UPDATE, so two requests
  racing with the same code cannot both pass).
- Recovery codes: 24 characters from a 32-letter alphabet (120 bits), stored as SHA-256 digests, each
  marked used by one conditional UPDATE.
- Only the Technical Secretariat resets someone's two-step sign-in (`reset_two_factor`, audited).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from directory_app.accounts.management import check_may_manage_users
from directory_app.accounts.models import RecoveryCode, Role, User
from directory_app.accounts.services import end_sessions
from directory_app.audit import record_event
from directory_app.errors import ValidationError
from directory_app.extensions import db
from directory_app.models_base import utcnow

ISSUER = "CAMMINA Directory"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 letters and digits, none easily confused
RECOVERY_CODE_LENGTH = 24  # 24 x 5 bits = 120 bits
_TOTP_CODE = re.compile(r"^[0-9]{6}$")
# Messages of ValidationError, marked for the catalogs and given in the reader's language.
ALREADY_ON = _l("Two-step sign-in is already on.")
WRONG_CODE = _l("That code is not right. Type the code the app shows now.")
NOTHING_TO_RESET = _l("This user has no two-step sign-in to reset.")


def is_enabled(user: User) -> bool:
    return bool(user.totp_enabled and user.totp_secret)


def required_for(user: User) -> bool:
    """Two-step sign-in is required of the Technical Secretariat in production."""
    return user.role == Role.TS_ADMIN and current_app.config.get("APP_ENV") == "production"


def must_enrol(user: User) -> bool:
    return required_for(user) and not is_enabled(user)


def start_enrolment(user: User) -> str:
    """The seed being enrolled: kept while the user has not confirmed it, made on first use."""
    if is_enabled(user):
        raise ValidationError(str(ALREADY_ON), field="code")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The URI as an inline SVG QR code (only paths drawn by segno; no text of the URI in it)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code")
    # Built by segno from our own URI: only the paths of the modules, no text of the URI (bandit B704).
    return Markup(svg)  # nosec B704


def grouped(text: str) -> str:
    """ "ABCDEFGH..." as "ABCD EFGH ..." for a person to read or type."""
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _normalised(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def check_totp(user: User, code: str, now: float | None = None) -> bool:
    """True when `code` is the user's code of the previous, current or next 30-second step and that step
    is later than the last one accepted; the step is then recorded (flushed), so the code works once."""
    code = _normalised(code)
    if not user.totp_secret or not _TOTP_CODE.match(code):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in (current - 1, current, current + 1):
        if not hmac.compare_digest(totp.generate_otp(step), code):
            continue
        moved = db.session.execute(
            update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount == 1:
            user.totp_last_step = step
            db.session.flush()
            return True
        return False  # this code (or a later one) was used already
    return False


def _digest(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes by RECOVERY_CODE_COUNT new ones; the codes, to be shown once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return [grouped(code) for code in codes]


def use_recovery_code(user: User, code: str) -> bool:
    """True, and the code is used up, when it is one of the user's unused recovery codes."""
    if len(_normalised(code)) != RECOVERY_CODE_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-step sign-in on with the first right code of the seed being enrolled; the recovery codes."""
    if is_enabled(user) or not user.totp_secret:
        raise ValidationError(str(ALREADY_ON), field="code")
    if not check_totp(user, code):
        raise ValidationError(str(WRONG_CODE), field="code")
    user.totp_enabled = True
    codes = new_recovery_codes(user)
    record_event("two_factor_enabled", user=user)
    return codes


def check_second_factor(user: User, code: str) -> str | None:
    """ "code" or "recovery code" when `code` passes (used up either way), else None."""
    if not is_enabled(user):
        return None
    if _TOTP_CODE.match(_normalised(code)):
        return "code" if check_totp(user, code) else None
    if use_recovery_code(user, code):
        record_event("recovery_code_used", user=user, detail=f"{recovery_codes_left(user)} left")
        return "recovery code"
    return None


def reset_two_factor(actor: User, user: User) -> None:
    """The Technical Secretariat turns a user's two-step sign-in off (a lost phone): the seed and the
    recovery codes are gone, every session of the user ends; the user signs in with the password
    (and, if it is required of them, enrols again)."""
    check_may_manage_users(actor)
    if not user.totp_secret and not user.totp_enabled:
        raise ValidationError(str(NOTHING_TO_RESET), field="two_factor")
    user.totp_secret, user.totp_enabled, user.totp_last_step = None, False, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_sessions(user)
    record_event("two_factor_reset", user=actor, detail=user.email)
