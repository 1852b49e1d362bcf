"""What the API blueprints share: JSON problems for refused requests, open CORS for reading."""

from __future__ import annotations

from flask import Blueprint, Response

from directory_app.api.params import ApiProblem, problem_response


def _allow_any_origin(response: Response) -> Response:
    # Read-only public data: any web page may read it. With "*" browsers send no cookies, so a
    # foreign page never gets what only a signed-in reader may see.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def prepare_api_blueprint(bp: Blueprint) -> Blueprint:
    """JSON errors for ApiProblem and the CORS header on every response of the blueprint."""
    bp.register_error_handler(ApiProblem, problem_response)
    bp.after_request(_allow_any_origin)
    return bp
