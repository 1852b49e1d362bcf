"""Third-party browser assets (Leaflet and plugins), served by the app itself: no CDN."""

from flask import Blueprint

bp = Blueprint("vendor", __name__)
