"""HTTP API of the stage planner: scenarios, solve jobs, plans, hotspots and regional agreements.

Run it with ``python -m api --host 127.0.0.1 --port 8000`` (or ``uvicorn api.main:app``, or
:func:`api.main.run`). Settings come from the environment (:mod:`api.settings`: database URL,
data folder, concurrent solves); the database schema is brought up to date with Alembic at
startup and unfinished solve jobs are resumed (:mod:`api.jobs`). Documentation: ``/docs``.

Layout: :mod:`api.main` (app, error handlers, OpenAPI), :mod:`api.routes` (thin HTTP routes),
:mod:`api.schemas` (request/response models with examples), :mod:`api.db` (SQLAlchemy models,
sessions, migrations), :mod:`api.store` (queries and records), :mod:`api.jobs` (solve queue),
:mod:`planner.plan.analysis` (hotspots, comparisons, deviations), :mod:`api.artifacts` (charts, maps and
downloads regenerated from stored plans), :mod:`api.scenario_input` (uploads checked like the CLI).
"""
