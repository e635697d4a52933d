"""Offline front-end assets: fill Solara's CDN cache from the npm registry.

The Solara server fetches its front-end files (the Vuetify app bundle, require.js, Font Awesome,
the grid layout) from a public CDN the first time a browser asks for them, and keeps them in a
cache folder (``<python prefix>/share/solara/cdn/``). On a machine that cannot reach that CDN
(a school behind a firewall, a lab without internet) every file then hangs and fails, and the
page stays blank. The same files are published on the npm registry; :func:`setup_assets` packs
each with ``npm pack`` and unpacks it into the cache, so the app works offline afterwards.

The charts need ``vega@5``, ``vega-lite@5`` and ``vega-embed@6`` as well. The list of packages
is read from the installed Solara (its page template and widgets), so a
Solara upgrade that moves a version is followed without an edit here.

Example:
    $ pausegame setup-assets            # once, with access to the npm registry
    $ pausegame app                     # offline from now on
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["AssetError", "Package", "cache_dir", "missing", "required_packages", "setup_assets"]

#: The file written into a package's folder once it is completely unpacked.
MARKER = ".pausegame-complete"

# Known good for solara 1.64.1 with ipyvue 1.x; used when the template cannot be read.
_FALLBACK = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
)
_SPEC = re.compile(r"(?:cdn\}\}|getCdn\(\)\}|cdn\})/((?:@[\w.-]+/)?[\w.-]+@\d[\w.+-]*)/")


class AssetError(RuntimeError):
    """The assets could not be set up (no npm, no registry, a broken package)."""


@dataclass(frozen=True)
class Package:
    """One npm package the Solara front end loads: ``name@version``."""

    name: str
    version: str

    @property
    def spec(self) -> str:
        """``name@version`` as npm and the CDN write it."""
        return f"{self.name}@{self.version}"

    @classmethod
    def parse(cls, spec: str) -> Package:
        """Split ``@scope/name@1.2.3`` or ``name@1.2.3``."""
        at = spec.rindex("@")
        return cls(spec[:at], spec[at + 1 :])


def cache_dir() -> Path:
    """Solara's CDN cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR`` overrides it)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def _ipyvue_major() -> int:
    try:
        from importlib.metadata import version

        return int(version("ipyvue").split(".")[0])
    except Exception:  # noqa: BLE001 - any failure means "unknown": assume the 1.x front end
        return 1


def required_packages() -> list[Package]:
    """The npm packages the installed Solara's page loads through its CDN proxy.

    Read from Solara's page template and its grid-layout and Vega-Lite widgets; the Vuetify 3
    bundle is kept
    only with ipyvue 2 or later, the Vuetify 2 bundle only before.
    """
    found: list[str] = []
    try:
        root = resources.files("solara")
        texts = [
            root.joinpath("server/templates/solara.html.j2").read_text(encoding="utf-8"),
            root.joinpath("widgets/vue/gridlayout.vue").read_text(encoding="utf-8"),
            root.joinpath("widgets/vue/vegalite.vue").read_text(encoding="utf-8"),
        ]
        for text in texts:
            found += _SPEC.findall(text)
        from solara.server import settings

        fa = settings.assets.fontawesome_path.strip("/").split("/")[0]
        if "@" in fa:
            found.append(fa)
    except Exception:  # noqa: BLE001 - an unreadable template falls back to the known list
        found = []
    if not found:
        found = list(_FALLBACK)
    vuetify3 = _ipyvue_major() >= 2
    out: list[Package] = []
    for spec in dict.fromkeys(found):
        if ("vuetify3" in spec) != vuetify3 and "solara-vuetify" in spec:
            continue
        out.append(Package.parse(spec))
    return out


def missing(target: Path | None = None) -> list[Package]:
    """The required packages not yet completely in the cache."""
    folder = cache_dir() if target is None else Path(target)
    return [pkg for pkg in required_packages() if not (folder / pkg.spec / MARKER).is_file()]


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "npm is not installed; install Node.js (which brings npm) once, "
            "or copy a filled cache folder from another machine to "
            f"{cache_dir()}"
        )
    return npm


def _unpack(tarball: Path, dest: Path) -> None:
    """Unpack an npm tarball into ``dest``, dropping the leading ``package/`` folder."""
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if not parts or (not member.isfile() and not member.isdir()):
                continue
            rel = Path(*parts[1:]) if len(parts) > 1 else None
            if rel is None or ".." in rel.parts or rel.is_absolute():
                continue
            member.name = str(rel)
            tar.extract(member, tmp, filter="data")
    (tmp / MARKER).write_text("unpacked from the npm registry by `pausegame setup-assets`\n")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)


def setup_assets(
    target: Path | None = None,
    *,
    force: bool = False,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> list[Package]:
    """Fetch every missing front-end package with ``npm pack`` into Solara's cache.

    Args:
        target: The cache folder (default: Solara's, see :func:`cache_dir`).
        force: Fetch every package again, even those already there.
        log: Where progress lines go.

    Returns:
        The packages fetched (empty when everything was already there).

    Raises:
        AssetError: When npm is missing or a package cannot be fetched.
    """
    folder = cache_dir() if target is None else Path(target)
    todo = required_packages() if force else missing(folder)
    if not todo:
        return []
    npm = _npm()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pausegame-assets-") as tmp:
        for pkg in todo:
            log(f"fetching {pkg.spec} from the npm registry")
            try:
                done = subprocess.run(
                    [npm, "pack", pkg.spec, "--silent", "--pack-destination", tmp],
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise AssetError(
                    f"npm pack {pkg.spec} timed out; is the npm registry reachable?"
                ) from None
            name = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
            tarball = Path(tmp) / name
            if done.returncode != 0 or not name or not tarball.is_file():
                detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
                raise AssetError(
                    f"npm pack {pkg.spec} failed ({detail}); the npm registry "
                    "must be reachable once, for setup"
                )
            _unpack(tarball, folder / pkg.spec)
    log(f"front-end assets ready in {folder}")
    return todo
