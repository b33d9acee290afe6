"""The service layer: what the API routes and the web pages both do, with its SQL, access checks and commits.

Routes (:mod:`api.routes`) and pages (:mod:`api.web`) read the request, call a service and
shape the answer; they call services, never each other. Services read and write the records
through :mod:`api.crud` and :mod:`api.models`. The import-linter contract "The API's layers" in
``pyproject.toml`` keeps these imports one way.
"""
