"""The public map and the GeoJSON endpoints."""

from flask import Blueprint

bp = Blueprint("maps", __name__)
