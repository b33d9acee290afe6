"""The service layer: what the API routes and the web pages both do, with its SQL and commits.

Routes (:mod:`api.routes`) and pages (:mod:`api.web`) read the request, call a service and
shape the answer; they call services, never each other.
"""
