"""The API's foundations: settings (:mod:`api.core.config`) and the database (:mod:`api.core.db`)."""
