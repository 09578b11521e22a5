"""docker-compose.yml, read with `docker compose config` semantics (YAML + variable interpolation).

No Docker here: the file is parsed as YAML, `${VAR}`, `${VAR:-default}` and `${VAR:?error}` are
interpolated as Compose does, and the structure is checked: a writable import folder taken from
KG_OUT (default ./out), ports on 127.0.0.1 only, the password required, and the paths the bulk
import script uses inside the container.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kg.sinks.neo4j_import import write_import_csv
from tests.sinks.test_html import make_result

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"
_VAR = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation: `:-` default when unset or empty, `-` when unset, `:?`/`?` required."""
    def sub(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3) or ""
        val = env.get(name)
        missing = val is None or (op is not None and op.startswith(":") and val == "")
        if op in (":-", "-") and missing:
            return arg
        if op in (":?", "?") and missing:
            raise ValueError(f"required variable {name} is missing a value: {arg}")
        return val or ""
    return _VAR.sub(sub, text.replace("$$", "\0")).replace("\0", "$")


def config(env: dict[str, str]) -> dict:
    return yaml.safe_load(interpolate(COMPOSE.read_text(encoding="utf-8"), env))


def import_volume(cfg: dict) -> dict:
    vols = [v for v in cfg["services"]["neo4j"]["volumes"] if isinstance(v, dict) and v.get("target") == "/import"]
    assert len(vols) == 1, "exactly one long-syntax volume mounted at /import"
    return vols[0]


def test_password_is_required():
    with pytest.raises(ValueError, match="NEO4J_PASSWORD"):
        config({})
    assert config({"NEO4J_PASSWORD": "secret123"})["services"]["neo4j"]["environment"]["NEO4J_AUTH"] == "neo4j/secret123"


def test_import_folder_is_the_build_and_writable():
    vol = import_volume(config({"NEO4J_PASSWORD": "secret123"}))
    assert vol["type"] == "bind" and vol["source"] == "./out" and vol.get("read_only") in (None, False)
    assert not str(vol).endswith(":ro")
    elsewhere = import_volume(config({"NEO4J_PASSWORD": "secret123", "KG_OUT": "/data/builds/pd300"}))
    assert elsewhere["source"] == "/data/builds/pd300"  # any build folder
    assert import_volume(config({"NEO4J_PASSWORD": "x" * 8, "KG_OUT": ""}))["source"] == "./out"
    env = config({"NEO4J_PASSWORD": "secret123"})["services"]["neo4j"]["environment"]
    assert env["NEO4J_server_directories_import"] == "/import"


def test_ports_local_only_and_named_data_volume():
    cfg = config({"NEO4J_PASSWORD": "secret123"})
    svc = cfg["services"]["neo4j"]
    assert all(p.startswith("127.0.0.1:") for p in svc["ports"])
    assert "neo4j-data:/data" in svc["volumes"] and "neo4j-data" in cfg["volumes"]
    assert svc["healthcheck"]["test"][0] == "CMD-SHELL"


def test_bulk_script_writes_only_inside_its_folder(tmp_path):
    """import.sh runs in /import/neo4j-import: every path it names (CSVs, the report) is relative."""
    out = tmp_path / "build" / "neo4j-import"
    files = write_import_csv(make_result(), out)
    script = (out / "import.sh").read_text(encoding="utf-8")
    assert 'cd "$(dirname "$0")"' in script and "--report-file=import.report" in script
    assert str(tmp_path) not in script  # no host path leaks into the container
    assert all(f.parent == out for f in files)
    header = COMPOSE.read_text(encoding="utf-8")
    assert "sh /import/neo4j-import/import.sh" in header and '-o "$KG_OUT/neo4j-import"' in header
