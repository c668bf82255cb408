"""Configuration: conf/duckcdb.toml, an optional --config file over it, command-line flags over both."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONF_DIR = Path(__file__).resolve().parent
VERSION = "0.1.0"
PG_VERSION = "15.0"
PG_VERSION_NUM = "150000"


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


@dataclass
class Config:
    raw: dict[str, Any]

    def get(self, section: str, key: str) -> Any:
        return self.raw[section][key]

    @property
    def data_dir(self) -> Path:
        return Path(self.raw["server"]["data_dir"]).resolve()


def load_config(path: str | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> Config:
    with open(CONF_DIR / "duckcdb.toml", "rb") as f:
        raw = tomllib.load(f)
    if path:
        with open(path, "rb") as f:
            raw = _merge(raw, tomllib.load(f))
    if overrides:
        raw = _merge(raw, {s: {k: v for k, v in kv.items() if v is not None} for s, kv in overrides.items()})
    return Config(raw)
