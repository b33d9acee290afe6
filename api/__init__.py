"""HTTP API of the stage planner: scenarios, solve jobs, plans, hotspots and regional agreements.

Run it with ``stageplanner serve --host 127.0.0.1 --port 8000`` (or ``uvicorn api.main:app``).
Settings come from the environment (:mod:`api.core.config`: database URL, data folder,
concurrent solves); the database schema is brought up to date with Alembic at startup and
unfinished solve jobs are resumed (:mod:`api.jobs`). Documentation: ``/docs``.

Layout (in the shape of the FastAPI full-stack template):

* :mod:`api.core.security`: tokens, roles and the rate limit; :mod:`api.auth`: every request's token checked;
* :mod:`api.main`: the app (:func:`~api.main.create_app`), error handlers, OpenAPI; :func:`~api.main.serve`;
* :mod:`api.core.config`: settings (pydantic-settings); :mod:`api.core.db`: engine, sessions, migrations;
* :mod:`api.models`: the database tables; :mod:`api.crud`: reading and writing records;
* :mod:`api.schemas`: request and response models with examples;
* :mod:`api.routes`: thin HTTP routes, one module per resource; :mod:`api.deps`: their dependencies;
* :mod:`api.views`: database rows to response models; :mod:`api.errors`: the caller's mistakes (4xx);
* :mod:`api.scenario_input`: uploads read from the request and checked like the CLI checks files;
* :mod:`api.jobs`: the solve queue; :mod:`api.artifacts`: charts, maps and downloads regenerated from stored plans;
  hotspots, comparisons and deviations come from :mod:`planner.plan.analysis`, as in the CLI.
"""
