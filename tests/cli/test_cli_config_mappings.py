"""`crmhub config check` on map files: file:line, the fix, exit 2; the shipped config is clean."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from workers.cli import app

runner = CliRunner()
CONFIG = Path(__file__).parents[2] / "config"


def test_config_check_reports_map_errors_with_line_and_fix(tmp_path: Path) -> None:
    shutil.copytree(CONFIG, tmp_path / "config")
    zoho = tmp_path / "config" / "mappings" / "zoho.yaml"
    lines = zoho.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if "remote: Phone, canonical:" in line)
    lines[number] = lines[number].replace("transform: phone", "transform: fone")
    zoho.write_text("".join(lines), encoding="utf-8")

    result = runner.invoke(app, ["config", "check", str(tmp_path / "config")])

    assert result.exit_code == 2, result.output
    assert f"mappings/zoho.yaml:{number + 1}:" in result.output
    assert "no transform named 'fone'" in result.output
    assert "did you mean `phone`?" in result.output


def test_shipped_config_and_maps_check_clean() -> None:
    result = runner.invoke(app, ["config", "check", str(CONFIG)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
