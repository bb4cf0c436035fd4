"""The `diagflow` console command: a Flask CLI group with diagflow's own commands."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from engine.access import Actor
from engine.audit_verify import newest_anchor, verify
from engine.backup import BackupError, backup, restore
from engine.calendar_import import parse_schedule
from engine.demo import DEMO_PASSWORD, load_demo
from engine.errors import InvalidData, ValidationFailed
from engine.i18n import N_
from engine.reference_data import seed_reference_data
from engine.schema import UnmanagedDatabase

from . import create_app
from .calendar_view import text_year
from .simulation import Settings, Simulation

CLI_ACTOR = Actor(user_id=None, username="cli", role="city_bureau", display_name=N_("命令行"))


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def cli() -> None:
    """diagflow: workflows for Jinan's digital-transformation diagnosis programme."""


def _engine():  # noqa: ANN202 - the ProcessEngine
    return current_app.extensions["diagflow"]


def process_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.bpmn")))


def deploy_all(root: Path) -> None:
    for folder in process_folders(root):
        try:
            deployed = _engine().repository.deploy_folder(folder, "cli")
        except ValidationFailed as failed:
            for element, message in failed.problems:
                click.echo(f"  {folder.name}: {element}: {message}", err=True)
            raise click.ClickException(f"{folder.name} is not deployable") from None
        click.echo(f"deployed {deployed.process_id} version {deployed.version} ({deployed.sha256[:12]})")


@cli.command("setup")
@click.option("--demo", is_flag=True, help="Also load the demo organisations and users.")
def setup_command(demo: bool) -> None:
    """Create the database schema, deploy every model in processes/, optionally load demo data."""
    _upgrade()
    click.echo(f"database ready: {_engine().db.url.render_as_string(hide_password=True)}")
    deploy_all(current_app.config["PROCESSES_DIR"])
    for line in seed_reference_data(_engine()):
        click.echo(line)
    if demo:
        count = load_demo(_engine().identity)
        click.echo(f"demo data ready: {count} users, password {DEMO_PASSWORD}")


def _upgrade() -> None:
    try:
        _engine().upgrade_schema()
    except UnmanagedDatabase as exc:
        raise click.ClickException(str(exc)) from None


@cli.group("db")
def db_group() -> None:
    """The database schema (Alembic migrations in engine/migrations)."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration the database does not have yet."""
    _upgrade()
    click.echo("database at the newest migration")


@cli.command("deploy")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
def deploy_command(folder: Path | None) -> None:
    """Deploy one model folder, or every folder under processes/."""
    if folder is None:
        deploy_all(current_app.config["PROCESSES_DIR"])
    else:
        deployed = _engine().repository.deploy_folder(folder, "cli")
        click.echo(f"deployed {deployed.process_id} version {deployed.version}")


@cli.group("calendar")
def calendar_group() -> None:
    """The working-day calendar: show a year, enter a new year's schedule."""


@calendar_group.command("show")
@click.argument("year", type=int)
def calendar_show(year: int) -> None:
    """Print YEAR as month grids (休 holiday, 班 adjusted working day)."""
    entry, days = _engine().calendar.year(year)
    calendar = _engine().calendar.current()
    state = f"published ({entry.source}, entered {entry.entered_at:%Y-%m-%d} by {entry.entered_by})" if entry else (
        "NOT published: weekends only, deadlines are provisional")
    click.echo(f"{year}: {state}; {calendar.between(date(year - 1, 12, 31), date(year, 12, 31))} working days\n")
    click.echo(text_year(year, calendar, {d.day: d.name for d in days}))


@calendar_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_import(path: Path) -> None:
    """Enter a year's schedule from a JSON or CSV file; provisional deadlines are recomputed."""
    year, rows, source = parse_schedule(path.read_text(encoding="utf-8"), path.name)
    try:
        changed = _engine().deadlines.enter_year(year, rows, CLI_ACTOR, source)
    except InvalidData as invalid:
        for field, message in invalid.errors.items():
            click.echo(f"  {field}: {message}", err=True)
        raise click.ClickException(f"{path.name}: not entered") from None
    click.echo(f"{year}: {len(rows)} day(s) entered from {source}; deadlines recomputed in {len(changed)} instance(s)")


@cli.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check every audit chain; exit 1 and name each changed, inserted or deleted event."""
    with _engine().sessions() as session:
        problems = verify(session)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("audit log intact")
    with _engine().sessions() as session:
        newest = newest_anchor(session)
    if newest is not None:
        click.echo(f"newest anchor: {newest.chain} {newest.hash} (note it outside the database: if this "
                   "anchor is missing later, the newest history was cut off)")


def _database_url() -> str:
    """The URL of the database the engine really uses (tests hand the app their own engine)."""
    return _engine().db.url.render_as_string(hide_password=False)


@cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent backup of the database to PATH while it runs (SQLite or pg_dump -Fc)."""
    try:
        click.echo(backup(_database_url(), path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup in PATH; stop the server and workers first."""
    url = _database_url()
    if not yes:
        shown = _engine().db.url.render_as_string(hide_password=True)
        click.confirm(f"Replace everything in {shown} with {path}?", abort=True)
    _engine().dispose()
    try:
        click.echo(restore(url, path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    with _engine().sessions() as session:
        problems = verify(session)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException("the restored audit log does not verify (see above)")
    click.echo("audit log intact after restore")


@cli.group("user")
def user_group() -> None:
    """User accounts."""


@user_group.command("password")
@click.argument("username")
@click.password_option(help="The new password (asked for twice when not given).")
def user_password(username: str, password: str) -> None:
    """Set USERNAME's password (at least 10 characters, not the name, not a common password)."""
    try:
        _engine().identity.set_password(username, password)
    except InvalidData as invalid:
        raise click.ClickException("; ".join(invalid.errors.values())) from None
    click.echo(f"password of {username} changed")


@cli.command("simulate")
@click.option("--start", "start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the city opens the campaign (Asia/Shanghai).")
@click.option("--enterprises", default=200, show_default=True, type=click.IntRange(1, 5000))
@click.option("--providers", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--window-days", default=60, show_default=True, type=click.IntRange(5, 366),
              help="Calendar days the filing window stays open.")
@click.option("--delay", "delays", multiple=True, metavar="ROLE=DAYS",
              help="Working days a role takes per task, e.g. --delay district_bureau=8 (repeatable).")
def simulate_command(start: datetime, enterprises: int, providers: int, window_days: int,
                     delays: tuple[str, ...]) -> None:
    """Run a whole programme year on a simulated clock and print its timeline."""
    settings = Settings(start=start.date(), enterprises=enterprises, providers=providers, window_days=window_days)
    for item in delays:
        role, _, days = item.partition("=")
        if role not in settings.delays or not days.isdigit():
            raise click.BadParameter(f"{item!r}: expected ROLE=DAYS with ROLE one of {', '.join(settings.delays)}")
        settings.delays[role] = int(days)
    with tempfile.TemporaryDirectory(prefix="diagflow-sim-") as workdir:
        click.echo(Simulation(settings, Path(workdir)).run().render())


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, envvar="PORT", type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the web app with waitress and the embedded timer scheduler."""
    from waitress import serve

    from .scheduler import start_embedded_scheduler

    app = current_app._get_current_object()
    if app.config["REDIS_URL"]:
        click.echo(f"diagflow on http://{host}:{port}/ (distributed: timers need `diagflow scheduler` and workers)")
        serve(app, host=host, port=port, threads=8)
        return
    scheduler = start_embedded_scheduler(app)
    click.echo(f"diagflow on http://{host}:{port}/ (embedded scheduler, sweep every "
               f"{app.config['DIAGFLOW_TIMER_SWEEP_SECONDS']:g}s)")
    try:
        serve(app, host=host, port=port, threads=8)
    finally:
        scheduler.shutdown(wait=False)


@cli.command("worker")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Tasks run at once (threads sharing one database pool).")
@click.option("--pool", default="threads", show_default=True, type=click.Choice(["threads", "solo"]),
              help="solo runs one task at a time in the main thread.")
def worker_command(concurrency: int, pool: str) -> None:
    """Run a Celery worker (distributed mode: REDIS_URL and a PostgreSQL DATABASE_URL)."""
    from .celery_app import QUEUE, queue_of

    _require_redis()
    celery = queue_of(current_app).celery
    celery.worker_main(["worker", f"--pool={pool}", f"--concurrency={concurrency}", "--loglevel=INFO",
                        "--without-gossip", "--without-mingle", f"--queues={QUEUE}",
                        f"--hostname=diagflow-{os.getpid()}@%h"])


@cli.command("scheduler")
def scheduler_command() -> None:
    """Run the distributed scheduler: one leader at a time (PostgreSQL advisory lock) hands due
    timers and stuck outbox rows to the workers; standbys take over when it dies."""
    from .scheduler import run_leader_scheduler

    _require_redis()
    run_leader_scheduler(current_app._get_current_object())


def _require_redis() -> None:
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: workers and the distributed scheduler need Redis "
                                   "(see docs/deployment.md)")


def main() -> None:
    cli()
