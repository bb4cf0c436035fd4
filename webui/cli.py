"""The `diagflow` console command: a Flask CLI group with diagflow's own commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from engine.demo import DEMO_PASSWORD, load_demo
from engine.errors import ValidationFailed
from engine.reference_data import seed_reference_data

from . import create_app


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
    _engine().create_schema()
    click.echo(f"database ready: {_engine().db.url.render_as_string(hide_password=True)}")
    deploy_all(current_app.config["PROCESSES_DIR"])
    for line in seed_reference_data(_engine()):
        click.echo(line)
    if demo:
        count = load_demo(_engine().identity)
        click.echo(f"demo data ready: {count} users, password {DEMO_PASSWORD}")


@cli.command("deploy")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
def deploy_command(folder: Path | None) -> None:
    """Deploy one model folder, or every folder under processes/."""
    if folder is None:
        deploy_all(current_app.config["PROCESSES_DIR"])
    else:
        deployed = _engine().repository.deploy_folder(folder, "cli")
        click.echo(f"deployed {deployed.process_id} version {deployed.version}")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, envvar="PORT", type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the web app with waitress and the embedded timer scheduler."""
    from waitress import serve

    from .scheduler import start_embedded_scheduler

    scheduler = start_embedded_scheduler(current_app)
    click.echo(f"diagflow on http://{host}:{port}/ (embedded scheduler, sweep every "
               f"{current_app.config['DIAGFLOW_TIMER_SWEEP_SECONDS']:g}s)")
    try:
        serve(current_app._get_current_object(), host=host, port=port, threads=8)
    finally:
        scheduler.shutdown(wait=False)


def main() -> None:
    cli()
