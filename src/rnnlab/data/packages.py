"""Find the data files a package ships, by path, without importing the package.

Datasets come from packages installed by the ``data`` extra (some with ``--no-deps``, so their
own dependencies are absent and importing them would fail); `importlib.util.find_spec` locates
the package directory without running its code. Nothing is downloaded, ever.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

INSTALL = 'pip install -e ".[data]"'


def package_dir(package: str, dataset: str) -> Path:
    """The directory of the installed top-level ``package``; one ValueError if it is absent."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(
            f"data: dataset {dataset!r} needs the package {package!r}, which is not installed; "
            f"install the data extra: {INSTALL} (see docs/data.md)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def package_file(package: str, relative: str, dataset: str) -> Path:
    """A file shipped inside ``package``; one ValueError naming it if it is missing."""
    path = package_dir(package, dataset) / relative
    if not path.is_file():
        raise ValueError(
            f"data: dataset {dataset!r} expects {relative} inside the package {package!r} "
            f"({path} is missing); reinstall it: {INSTALL}"
        )
    return path


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
