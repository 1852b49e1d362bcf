"""Read APIs for other systems: the JSON API (/api/v1/), Open Referral HSDS 3.0 (/hsds/) and
OGC API - Features (/ogc/).

Documents are built by plain functions from the ORM (hsds_documents, ogc_documents, json_api
queries); the Flask views only parse the request and hand the result back (pygeoapi-style).
"""
