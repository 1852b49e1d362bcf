#!/usr/bin/env python3
"""Fetch the browser libraries listed in static/vendor/manifest.json into static/vendor/<name>/.

Each library is a pinned npm tarball (`npm pack NAME@VERSION`, from the npm registry) whose
sha512 integrity must match the manifest before anything is extracted; only the listed files are
written. A library whose files and stamp are already in place is left alone, so running this again
costs nothing. The app serves the files itself: no CDN at run time.

Usage: python scripts/vendor_assets.py [--force]
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = PROJECT_ROOT / "static" / "vendor"
STAMP = ".stamp"


def load_manifest() -> dict[str, dict]:
    manifest = json.loads((VENDOR_DIR / "manifest.json").read_text())
    return {name: spec for name, spec in manifest.items() if not name.startswith("_")}


def target_dir(name: str, spec: dict) -> Path:
    """static/vendor/<name>/, or <directory>/<name>/ for a library only the tests use."""
    return (PROJECT_ROOT / spec["directory"] if "directory" in spec else VENDOR_DIR) / name


def is_current(name: str, spec: dict) -> bool:
    stamp = target_dir(name, spec) / STAMP
    return stamp.exists() and stamp.read_text().strip() == spec["integrity"]


def fetch_tarball(spec: dict, workdir: Path) -> Path:
    """`npm pack` the pinned version into workdir and check its integrity."""
    result = subprocess.run(
        ["npm", "pack", f"{spec['package']}@{spec['version']}", "--json", "--pack-destination", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"npm pack {spec['package']}@{spec['version']} failed:\n{result.stderr.strip()}")
    tarball = workdir / json.loads(result.stdout)[0]["filename"]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != spec["integrity"]:
        sys.exit(f"{tarball.name}: integrity {digest} does not match the manifest's {spec['integrity']}")
    return tarball


def extract(tarball: Path, target: Path, files: dict[str, str]) -> None:
    """Write the listed files (a name ending in / is a whole directory) into `target`."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        members = {m.name.removeprefix("package/"): m for m in archive.getmembers() if m.isfile()}
        for destination, source in files.items():
            chosen = {
                p: m for p, m in members.items() if p == source or (source.endswith("/") and p.startswith(source))
            }
            if not chosen:
                sys.exit(f"{tarball.name} has no {source}")
            for path, member in chosen.items():
                out = target / (destination + path[len(source) :] if source.endswith("/") else destination)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(archive.extractfile(member).read())


def main(force: bool = False) -> None:
    manifest = load_manifest()
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in manifest.items():
            if is_current(name, spec) and not force:
                continue
            print(f"Fetching {spec['package']}@{spec['version']} ...")
            extract(fetch_tarball(spec, Path(tmp)), target_dir(name, spec), spec["files"])
            (target_dir(name, spec) / STAMP).write_text(spec["integrity"] + "\n")


if __name__ == "__main__":
    main(force="--force" in sys.argv[1:])
