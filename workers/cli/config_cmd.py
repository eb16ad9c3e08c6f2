"""`crmhub config check`: every config error with file, line and fix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.config import check_config
from workers.cli.context import ExitCode, err, out

app = typer.Typer(help="Configuration files.", no_args_is_help=True)


@app.command()
def check(
    path: Annotated[
        Path, typer.Argument(help="The main config file (or a folder holding crmhub.yaml).")
    ] = Path("config/crmhub.yaml"),
) -> None:
    """Validate the config and its section files; exit 2 on any error."""
    if path.is_dir():
        path = path / "crmhub.yaml"
    issues = check_config(path)
    for issue in issues:
        colour = "red" if issue.severity == "error" else "yellow"
        err.print(f"[{colour}]{issue.severity}[/{colour}] {issue}", highlight=False)
    errors = sum(1 for i in issues if i.severity == "error")
    if errors:
        err.print(f"{errors} error(s) in {path}")
        raise typer.Exit(ExitCode.CONFIG)
    out.print(f"{path}: OK" + (f" ({len(issues)} warning(s))" if issues else ""))
