"""``serve``: the web API."""

from __future__ import annotations

import typer

from planner.commands.common import InputFailure, handled

app = typer.Typer()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Run the web API with uvicorn (settings from the environment, see README)."""
    import api.main  # the API stack loads only for this command
    from api.core.config import SettingsError

    with handled(debug):
        try:
            api.main.serve(host=host, port=port)
        except SettingsError as err:
            raise InputFailure([f"error: {err}"]) from None
