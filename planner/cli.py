"""The ``stageplanner`` command line: solve, compare, reports and pictures.

A thin layer: the entry module puts together the commands of :mod:`planner.commands` (one
module per group, each on its own ``app``) and the ``tokens`` group, reads the language and
runs. The commands parse arguments, call the library and print with
:mod:`planner.report.console`. The solver, the report writers, the generator, the benchmark and
the web API are imported when their command runs, so that ``--help`` and ``validate`` start
fast (they pull in OR-Tools, matplotlib, folium, FastAPI). Exit codes
(:mod:`planner.commands.common`): 0 success, 2 invalid input (every problem printed, one per
line), 1 internal error (a short message; the traceback with ``--debug``), 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM). An interrupted run never leaves half a file or a partial
set of result files.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import typer

from api.core.security import Role, parse_lifetime  # the API stack itself loads when a command needs it
from planner.cli_help import LANG_ENVVAR, click_exceptions, language_from_argv, localised_command, show_usage_error
from planner.commands import bench, opendata, scenario, serve, solve, whatif
from planner.commands.common import LANG_HELP, InputFailure, Lang, use_language
from planner.commands.common import echo_err as _echo_err  # the names the tokens commands use
from planner.commands.common import handled as _handled
from planner.i18n import _, set_language

app = typer.Typer(
    name="stageplanner",
    help="Plan staggered block and line internship periods (stageperiodes) for an MBO region against "
    "learning companies' weekly supervision capacity (begeleidingscapaciteit).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _main(lang: Lang | None = typer.Option(None, "--lang", envvar=LANG_ENVVAR, help=LANG_HELP)) -> None:
    """Plan staggered internship periods; ``--lang`` before or after the command sets the language."""
    use_language(lang)  # without --lang or STAGEPLANNER_LANG: Dutch, the default


# The commands in the order of the help: solving, scenarios, benchmark, server, tokens, what-if.
for group in (solve.app, scenario.app, bench.app, serve.app):
    app.add_typer(group)
app.add_typer(opendata.app)  # a group of its own: stageplanner import duo FILE


tokens_app = typer.Typer(name="tokens", no_args_is_help=True, rich_markup_mode=None,
                         help="API tokens: create (shown once), list, revoke. Works on the database of "
                              "STAGEPLANNER_DATABASE_URL / DATABASE_URL directly; no server needed.")
app.add_typer(tokens_app)


@contextlib.contextmanager
def _token_store(debug: bool) -> Iterator[Any]:
    """A session on the settings' database (migrated first), committed on success; bad input exits with 2."""
    from api.core.config import SettingsError, load_settings
    from api.core.db import Database
    from api.errors import InvalidInput, NotFound

    with _handled(debug):
        try:
            db = Database(load_settings().database_url)
        except SettingsError as err:
            raise InputFailure([f"{_('error')}: {err}"]) from None
        try:
            db.migrate()
            with db.session() as session:
                yield session
        except InvalidInput as err:
            raise InputFailure([f"{_('error')}: {p.field}: {p.message}" for p in err.problems]) from None
        except NotFound as err:
            raise InputFailure([f"{_('error')}: {err}"]) from None
        finally:
            db.dispose()


@tokens_app.command("create")
def tokens_create(
    name: str = typer.Option(..., "--name", help="Who uses the token (recorded as adopted_by and in the audit log)."),
    role: Role = typer.Option(..., "--role", help="reader, editor (their regions), analyst (all regions, read), admin, "
                                                 "school (an institution's editor: signs off its part)."),
    region: list[str] = typer.Option([], "--region", help="A region the token may use; repeat for more. "
                                     "Needed for reader and editor."),
    institution: str | None = typer.Option(None, "--institution", help="The institution (its id in the scenario) "
                                           "a school token approves or rejects for; with --role school and one "
                                           "--region."),
    expires_in: Any = typer.Option(None, "--expires-in", parser=parse_lifetime, metavar="DURATION",
                                   help="The token expires after this long: 90d (days), 12h (hours) or 30m "
                                        "(minutes). Without it the token works until it is revoked."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    from api import crud
    from api.services import tokens

    with _token_store(debug) as session:
        row, token = tokens.create(session, None, name, role.value, region, expires_in, institution)
    typer.echo(_("token {id} ({role}, {regions}) for {name}:").format(
        id=row.id, role=row.role, regions=", ".join(crud.token_regions(row)) or _("all regions"), name=row.name),
        err=True)
    typer.echo(token)
    typer.echo(_("Store it now: it is shown only this once. Send it as 'Authorization: Bearer <token>'."), err=True)


@tokens_app.command("list")
def tokens_list(debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors.")) -> None:
    """List tokens: id, name, role, regions, created, expires, active/revoked/expired (never the tokens themselves)."""
    from api import crud
    from api.models import utcnow
    from api.services import tokens

    with _token_store(debug) as session:
        lines = tokens.listing(crud.list_tokens(session), utcnow())
    typer.echo(tokens.listing_header())
    for line in lines:
        typer.echo(line)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: int = typer.Argument(..., min=1, help="The token's id (see `tokens list`)."),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of internal errors."),
) -> None:
    """Revoke a token; requests with it get 401 from now on."""
    from api.services import tokens

    with _token_store(debug) as session:
        row = tokens.revoke(session, None, token_id)
    typer.echo(_("token {id} ({name}) is revoked").format(id=token_id, name=row.name))


app.add_typer(whatif.app)


def main(argv: list[str] | None = None) -> None:
    """Entry point (``stageplanner``, ``python -m planner.cli``): the commands and their help in the
    language asked for (``--lang``, ``STAGEPLANNER_LANG``, Dutch by default), then run."""
    args = sys.argv[1:] if argv is None else list(argv)
    set_language(language_from_argv(args))
    command = localised_command(typer.main.get_command(app))
    try:
        # Not standalone: click would write its usage errors itself, in English.
        code = command.main(args=args, prog_name="stageplanner", standalone_mode=False)
    except click_exceptions.UsageError as error:
        show_usage_error(error)
        sys.exit(error.exit_code)
    except click_exceptions.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except typer.Abort:
        _echo_err(_("Aborted."))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)  # an exit code (typer.Exit) or a command's result


if __name__ == "__main__":
    main()
