"""Personal data, by declaration: which columns hold it and the secret salt of its hashes.

* Source columns: ``personal=True`` in ``revenue_warehouse/contract.py``. A quarantined row of a table
  that holds any is published without its raw line (file, row, column and reason only).
* Mart columns: ``config: {meta: {personal: true}}`` on the column in the model's YAML under
  ``models/``. Publish replaces each declared value by ``pii_`` + a salted hash.
* Salt: ``WAREHOUSE_PII_SALT`` when set; otherwise a random salt generated on the first publish and
  kept in ``pii_salt`` beside the build file, owner-only (0600), and reused ever after so hashed keys
  stay joinable across publishes. It is never written to the serving file or the repository.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import yaml

from revenue_warehouse.contract import TABLES
from revenue_warehouse.paths import PROJECT_DIR
from revenue_warehouse.settings import get_settings

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SALT_ENV = "WAREHOUSE_PII_SALT"
SALT_FILE = "pii_salt"


def _is_personal(column: dict) -> bool:
    meta = {**(column.get("meta") or {}), **((column.get("config") or {}).get("meta") or {})}
    return bool(meta.get("personal"))


def declared_mart_columns(project_dir: Path = PROJECT_DIR) -> dict[str, frozenset[str]]:
    """Model name -> its columns declared personal in the dbt YAML under ``models/``."""
    declared: dict[str, set[str]] = {}
    for path in sorted((project_dir / "models").rglob("*.yml")):
        # libyaml's loader when present: 10x faster on the ~40 model files, read on every publish
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
        for model in doc.get("models") or []:
            for column in model.get("columns") or []:
                if _is_personal(column):
                    declared.setdefault(model["name"], set()).add(column["name"])
    return {name: frozenset(columns) for name, columns in declared.items()}


def personal_source_tables() -> frozenset[tuple[str, str]]:
    """(system, table) of every contract table with a personal column."""
    return frozenset((t.system, t.name) for t in TABLES if t.holds_personal_data)


def salt_path(build_db: Path | str) -> Path:
    return Path(build_db).resolve().parent / SALT_FILE


def pii_salt(build_db: Path | str) -> str:
    """The salt of the personal-data hashes (see the module docstring)."""
    configured = get_settings().pii_salt  # WAREHOUSE_PII_SALT
    if configured:
        return configured
    path = salt_path(build_db)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
        salt = path.read_text(encoding="ascii").strip()
        if not salt:
            raise RuntimeError(
                f"{path} is empty: restore the salt, or delete it to start new hashes"
            ) from None
        return salt
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return path.read_text(encoding="ascii").strip()
