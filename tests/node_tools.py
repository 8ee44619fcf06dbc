"""Node.js for the tests that need it: finding node, and npm packages from committed lock files.

A missing or too old node, or an npm registry that cannot be reached, skips the test with the
reason (pytest's `-ra` summary shows it); it is never passed without running. Any other npm
failure fails it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

MINIMUM_NODE = 20
# npm's messages when it cannot reach the registry at all (DNS, refused, timed out, offline).
UNREACHABLE = re.compile(
    r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED|offline"
)


def require_node(needed_by: str) -> str:
    """The path of node (with npm beside it), or a skip naming what was not run."""
    found = shutil.which("node")
    if found is None or shutil.which("npm") is None:
        pytest.skip(
            f"node or npm is not on PATH: {needed_by} were NOT run (they need Node.js >= 20)"
        )
    version = subprocess.run(  # noqa: S603 - the node found on PATH
        [found, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < MINIMUM_NODE:
        pytest.skip(f"node {version} is older than {MINIMUM_NODE}: {needed_by} were NOT run")
    return found


def npm_ci(directory: Path) -> None:
    """`npm ci` in `directory` from its committed lock file; skips if the registry is away."""
    npm = shutil.which("npm")
    assert npm is not None
    # --ignore-scripts: nothing these packages need runs at install time.
    result = subprocess.run(  # noqa: S603 - npm with fixed arguments
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        output = result.stdout + result.stderr
        unreachable = [line for line in output.splitlines() if UNREACHABLE.search(line)]
        if unreachable:
            pytest.skip(f"npm ci could not reach the npm registry: {unreachable[0].strip()}")
        pytest.fail(f"npm ci failed in {directory.name}:\n{output}")
