"""Offline front-end assets (`pausegame setup-assets`) and the `app` command, offline."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from experiments.cli import build_parser, main
from viz import assets
from viz.cli import _is_loopback
from viz.serve import server_command


def _tarball(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_required_packages_follow_the_installed_solara():
    specs = {p.spec for p in assets.required_packages()}
    assert "requirejs@2.3.6" in specs and "font-awesome@4.5.0" in specs
    assert {"vega@5", "vega-lite@5", "vega-embed@6"} <= specs
    vuetify = [s for s in specs if "solara-vuetify" in s]
    assert len(vuetify) == 1  # only the bundle matching the installed ipyvue


def test_setup_fetches_missing_packages_with_npm_pack_and_strips_package(tmp_path, monkeypatch):
    calls = []

    def fake_run(cmd, **kwargs):
        spec, dest = cmd[2], Path(cmd[cmd.index("--pack-destination") + 1])
        calls.append(spec)
        name = spec.replace("@", "").replace("/", "-") + ".tgz"
        _tarball(dest / name, {"dist/main.js": f"// {spec}", "README.md": "x"})
        return subprocess.CompletedProcess(cmd, 0, stdout=f"{name}\n", stderr="")

    monkeypatch.setattr(assets.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(assets.subprocess, "run", fake_run)
    target = tmp_path / "cdn"
    fetched = assets.setup_assets(target, log=lambda s: None)
    assert [p.spec for p in fetched] == calls == [p.spec for p in assets.required_packages()]
    first = fetched[0]
    assert (target / first.spec / "dist" / "main.js").read_text() == f"// {first.spec}"
    assert not (target / first.spec / "package").exists()
    assert assets.missing(target) == []
    assert assets.setup_assets(target, log=lambda s: None) == []  # nothing left to fetch


def test_a_failed_npm_pack_is_an_asset_error_and_leaves_nothing_half_done(tmp_path, monkeypatch):
    monkeypatch.setattr(assets.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(
        assets.subprocess,
        "run",
        lambda cmd, **kw: subprocess.CompletedProcess(
            cmd, 1, stdout="", stderr="npm error code E404"
        ),
    )
    with pytest.raises(assets.AssetError, match="E404"):
        assets.setup_assets(tmp_path / "cdn", log=lambda s: None)
    assert len(assets.missing(tmp_path / "cdn")) == len(assets.required_packages())


def test_no_npm_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(assets.shutil, "which", lambda name: None)
    with pytest.raises(assets.AssetError, match="npm is not installed"):
        assets.setup_assets(tmp_path / "cdn", log=lambda s: None)


def test_app_and_setup_assets_are_commands_and_the_server_is_loopback_by_default():
    parser = build_parser()
    args = parser.parse_args(["app"])
    assert args.host == "127.0.0.1" and args.port == 8765
    assert parser.parse_args(["setup-assets"]).handler is not None
    command = server_command(args.host, args.port)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert "viz.app" in command and "--production" in command
    assert _is_loopback("127.0.0.1") and _is_loopback("localhost") and _is_loopback("::1")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.4")


def test_the_server_entry_has_routes_and_no_page_component():
    """`solara run viz.app` reads the routes; a module-level Page beside them is ambiguous (Solara
    warns about a module that defines both), so the Simulate page lives in viz.simulate."""
    import warnings

    import solara

    import viz.app
    from viz.simulate import SimulatePage

    assert hasattr(viz.app, "routes") and hasattr(viz.app, "Layout")
    assert not hasattr(viz.app, "Page")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (root,) = solara.generate_routes(viz.app)
    assert root.component is None
    assert [(r.path, r.component) for r in root.children][0] == ("/", SimulatePage)
    assert [r.path for r in root.children] == [
        "/",
        "play",
        "map",
        "design",
        "learn",
        "teach",
        "join",
    ]


def test_a_bad_port_is_refused(capsys):
    assert main(["app", "--port", "70000", "--no-setup"]) == 2
    assert "--port 70000" in capsys.readouterr().err


def test_the_app_commands_reach_the_cli_through_the_entry_point_group():
    """experiments.cli never imports viz: `app` comes from pyproject's pausegame.commands."""
    import viz.cli
    from experiments.cli import ENTRY_POINT_GROUP, plugin_registrars

    assert ENTRY_POINT_GROUP == "pausegame.commands"
    assert viz.cli.register in plugin_registrars()
    assert plugin_registrars("pausegame.no-such-group") == []


@pytest.mark.parametrize("command", [["app", "--no-setup"], ["setup-assets"]])
def test_without_the_app_extra_the_app_commands_say_how_to_install_it(command, capsys, monkeypatch):
    import viz.cli

    real = viz.cli.find_spec
    monkeypatch.setattr(viz.cli, "find_spec", lambda name: None if name == "solara" else real(name))
    assert viz.cli.missing_app_extra() == ["solara"]
    assert main(command) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and captured.out == ""
    assert err.startswith("pausegame: error: the browser app needs the 'app' extra (solara")
    assert 'pip install -e ".[app]"' in err


def test_the_server_is_solara_run_with_frames_written_by_the_rendering_thread(monkeypatch):
    """``viz.solara_run`` is ``solara run`` with uvicorn's ``websockets`` protocol, the one
    Solara's ``SOLARA_SERVER_SYNC_WS_WRITE`` needs (the classroom's months reach the pages
    about a third sooner); a protocol the caller chose stays."""
    import sys

    from viz import solara_run

    command = server_command("127.0.0.1", 8765)
    assert command[1:4] == ["-m", "viz.solara_run", "run"]
    monkeypatch.delenv("PAUSEGAME_UVICORN_WS", raising=False)
    assert solara_run._Config(app="viz.app").ws == "websockets"
    assert solara_run._Config(app="viz.app", ws="wsproto").ws == "wsproto"
    monkeypatch.setenv("PAUSEGAME_UVICORN_WS", "websockets-sansio")
    assert solara_run._Config(app="viz.app").ws == "websockets-sansio"
    # frames uncompressed (compressing them was a fifth of the server's time in a class vote)
    monkeypatch.delenv("PAUSEGAME_WS_DEFLATE", raising=False)
    assert solara_run._Config(app="viz.app").ws_per_message_deflate is False
    monkeypatch.setenv("PAUSEGAME_WS_DEFLATE", "1")
    assert solara_run._Config(app="viz.app").ws_per_message_deflate is True
    done = subprocess.run(
        [sys.executable, "-m", "viz.solara_run", "run", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "--production" in done.stdout  # Solara's own command line
    code = (
        "import os, sys; sys.argv = ['x', 'run', '--help']\n"
        "import viz.solara_run as r\n"
        "try:\n    r.main()\nexcept SystemExit:\n    pass\n"
        "from solara.server import settings\n"
        "print(os.environ['SOLARA_SERVER_SYNC_WS_WRITE'], settings.server.sync_ws_write)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "SOLARA_SERVER_SYNC_WS_WRITE"},
    )
    assert shown.stdout.strip().splitlines()[-1] == "true True"
