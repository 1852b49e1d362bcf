"""Limits on sign-in attempts that an attacker cannot turn against the account's owner.

Only failed attempts count: a wrong password, or a wrong code at the second step of a two-step
sign-in (accounts.two_factor_views). Three counters, kept in the limiter storage
(RATELIMIT_STORAGE_URI: `memory://` counts per process; a Redis URI shares the counts between every
worker and host):

- **per client** (its IP address; an IPv6 client by its /64 network, which one subscriber usually
  has whole): at LOGIN_IP_RATE_LIMIT failures ("30/minute") the client gets 429 for every account;
- **per client and account**: at LOGIN_RATE_LIMIT failures ("10/minute") that client gets 429 for
  that account;
- **per account, from anywhere**: never a refusal. After SLOW_AFTER failures within the hour, every
  attempt on the account, right or wrong, from any client, waits first: 0.5 s, then 1 s, 2 s, ...
  up to LOGIN_MAX_DELAY seconds (3; 0 turns the slowing off). At NOTIFY_AFTER failures within the
  hour the owner is emailed (accounts.signin_alerts), at most once an hour.

A stranger who guesses someone's password is stopped at their own client; the owner, from theirs,
signs in at most a few seconds slower. Limits are written like Flask-Limiter's ("10/minute",
several separated by ";": "10/minute;100/day"). The pause is `SignInLimits.sleep` (time.sleep),
which tests replace so that they never wait on the real clock.
"""

from __future__ import annotations

import ipaddress
import time

from flask import Flask, abort, current_app, request
from limits import parse, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

ACCOUNT_WINDOW = parse("100/hour")  # failures per account are counted over an hour (up to 100)
SLOW_AFTER = 5
FIRST_DELAY_SECONDS = 0.5
NOTIFY_AFTER = 10
NOTIFY_AT_MOST = parse("1/hour")
DEFAULTS = {"LOGIN_RATE_LIMIT": "10/minute", "LOGIN_IP_RATE_LIMIT": "30/minute", "LOGIN_MAX_DELAY": 3.0}


def client_key(address: str | None) -> str:
    """Who the client is for the limits: its IP address, or its /64 network for IPv6."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def account_key(email: str | None) -> str:
    """The account an attempt is aimed at: its email as typed, trimmed and lower-cased."""
    return (email or "").strip().lower()[:254]


class SignInLimits:
    """The counters of one application (app.extensions["sign_in_limits"])."""

    def __init__(self, app: Flask):
        options = app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}
        self.storage = storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or "memory://", **options)
        self.window = MovingWindowRateLimiter(self.storage)
        self.prefix = app.config.get("RATELIMIT_KEY_PREFIX") or "cammina"
        self.sleep = time.sleep

    def _setting(self, name: str):
        return current_app.config.get(name, DEFAULTS[name])

    def _strict(self, client: str, account: str):
        for item in parse_many(self._setting("LOGIN_IP_RATE_LIMIT")):
            yield item, ("sign-in-client", client)
        for item in parse_many(self._setting("LOGIN_RATE_LIMIT")):
            yield item, ("sign-in-client-account", client, account)

    def before_attempt(self, email: str | None) -> None:
        """Refuse (429) a client over its limits; otherwise wait as long as the account's failures ask."""
        client, account = client_key(request.remote_addr), account_key(email)
        for item, identifiers in self._strict(client, account):
            if not self.window.test(item, self.prefix, *identifiers):
                abort(429)
        delay = self.delay(account)
        if delay > 0:
            self.sleep(delay)

    def delay(self, account: str) -> float:
        """Seconds an attempt on this account waits: 0 until SLOW_AFTER failures, then doubling."""
        maximum = float(self._setting("LOGIN_MAX_DELAY") or 0)
        failures = self.account_failures(account)
        if maximum <= 0 or failures < SLOW_AFTER:
            return 0.0
        return min(maximum, FIRST_DELAY_SECONDS * 2 ** (failures - SLOW_AFTER))

    def account_failures(self, account: str) -> int:
        stats = self.window.get_window_stats(ACCOUNT_WINDOW, self.prefix, "sign-in-account", account)
        return ACCOUNT_WINDOW.amount - stats.remaining

    def record_failure(self, email: str | None) -> int:
        """Count a failed attempt of this client on this account; the account's failures within the hour."""
        client, account = client_key(request.remote_addr), account_key(email)
        for item, identifiers in self._strict(client, account):
            self.window.hit(item, self.prefix, *identifiers)
        self.window.hit(ACCOUNT_WINDOW, self.prefix, "sign-in-account", account)
        return self.account_failures(account)

    def first_alert_of_the_hour(self, email: str) -> bool:
        """True once an hour per account: whether to email its owner now."""
        return self.window.hit(NOTIFY_AT_MOST, self.prefix, "sign-in-alert", account_key(email))


def init_sign_in_limits(app: Flask) -> None:
    app.extensions["sign_in_limits"] = SignInLimits(app)


def sign_in_limits() -> SignInLimits:
    return current_app.extensions["sign_in_limits"]
