"""Files shipped with the package and named on the command line by name or by path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from model.errors import ConfigError


def shipped_dir(folder: str) -> Path:
    """The folder ``experiments/<folder>`` of the installed package."""
    return Path(str(resources.files("experiments").joinpath(folder)))


def list_shipped(folder: str) -> list[str]:
    """Names (file stems) of the ``.toml`` files shipped in ``experiments/<folder>``, sorted."""
    path = shipped_dir(folder)
    return sorted(p.stem for p in path.glob("*.toml")) if path.is_dir() else []


def shipped_or_path(
    path_or_name: str | Path, folder: str, kind: str, error: type[ConfigError]
) -> Path:
    """The file an argument refers to: a shipped ``<name>.toml`` in ``folder``, or a path.

    A bare name (no separator, no ``.toml``) is looked up among the shipped files first, then
    in the working directory.

    Raises:
        error: naming the unknown name (and the shipped ones) or the missing file.
    """
    if (
        isinstance(path_or_name, str)
        and "/" not in path_or_name
        and "\\" not in path_or_name
        and not path_or_name.endswith(".toml")
    ):
        shipped = shipped_dir(folder) / f"{path_or_name}.toml"
        if shipped.is_file():
            return shipped
        if Path(path_or_name).is_file():
            return Path(path_or_name)
        names = ", ".join(list_shipped(folder)) or "none"
        raise error(
            f"unknown {kind} {path_or_name!r}; shipped {kind}s: {names} "
            "(or give the path of a .toml file)"
        )
    path = Path(path_or_name)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "not found"
        raise error(f"{kind} file {str(path)!r} {what}")
    return path
