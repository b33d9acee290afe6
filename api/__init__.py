"""HTTP API of the stage planner: scenarios, solve jobs, plans, hotspots and regional agreements.

Run it with ``python -m api.main`` (or ``stageplanner-api`` style wrappers calling
:func:`api.main.run`). Settings come from the environment (see :mod:`api.settings`); the
database schema is brought up to date with Alembic at startup.
"""
