"""The unplug manifest (XML) and the .pdb archive, and the plug-in compatibility check.

A manifest describes one unplugged PDB: identity (name, GUID, DBID), the engine and storage
version that wrote its file, byte order, each file with size and SHA-256, parameters, tier,
lockdown profile, local users and roles (password verifiers only) and the PDB's history. A
`.pdb` archive is a zip holding `manifest.xml` and the files it names.
"""

from __future__ import annotations

import hashlib
import os
import sys
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

MANIFEST_NAME = "manifest.xml"
FORMAT_VERSION = "1"


@dataclass
class ManifestFile:
    name: str  # file name inside the PDB folder (data.duckdb)
    path: str  # where the file is now (absolute), or its name inside a .pdb archive
    size: int
    sha256: str


@dataclass
class Manifest:
    name: str
    guid: str
    dbid: int
    con_id: int
    created_at: float
    engine_version: str
    storage_version: str
    byte_order: str
    tier: str
    lockdown_profile: str | None
    max_size: int | None
    max_temp_size: int | None
    parameters: dict[str, str] = field(default_factory=dict)
    files: list[ManifestFile] = field(default_factory=list)
    users: list[dict[str, str]] = field(default_factory=list)
    roles: list[dict[str, str]] = field(default_factory=list)
    sys_privs: list[dict[str, str]] = field(default_factory=list)
    role_privs: list[dict[str, str]] = field(default_factory=list)
    obj_privs: list[dict[str, str]] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Violation:
    type: str  # ERROR or WARNING
    cause: str
    message: str
    action: str


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def storage_version(path: Path) -> str:
    """DuckDB's storage format version from a database file header ("" when unreadable)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return ""
    # Main header: 8-byte checksum, 4-byte magic "DUCK", then the uint64 storage version.
    if head[8:12] != b"DUCK":
        return ""
    return str(int.from_bytes(head[12:20], "little"))


def engine_version() -> str:
    return duckdb.__version__


def _opt(v: int | None) -> str:
    return "" if v is None else str(v)


def to_xml(m: Manifest) -> bytes:
    root = ET.Element("PDB", {"format": FORMAT_VERSION})
    for tag, value in (
        ("pdbname", m.name),
        ("guid", m.guid),
        ("dbid", str(m.dbid)),
        ("con_id", str(m.con_id)),
        ("creation_time", repr(m.created_at)),
        ("byteorder", m.byte_order),
        ("tier", m.tier),
        ("lockdown_profile", m.lockdown_profile or ""),
        ("max_size", _opt(m.max_size)),
        ("max_temp_size", _opt(m.max_temp_size)),
    ):
        ET.SubElement(root, tag).text = value
    ET.SubElement(
        root, "engine", {"name": "duckdb", "version": m.engine_version, "storage_version": m.storage_version}
    )
    params = ET.SubElement(root, "parameters")
    for k, v in sorted(m.parameters.items()):
        ET.SubElement(params, "parameter", {"name": k, "value": v})
    files = ET.SubElement(root, "files")
    for f in m.files:
        ET.SubElement(
            files, "file", {"name": f.name, "path": f.path, "size": str(f.size), "sha256": f.sha256}
        )
    for section, item, rows in (
        ("users", "user", m.users),
        ("roles", "role", m.roles),
        ("sys_privs", "grant", m.sys_privs),
        ("role_privs", "grant", m.role_privs),
        ("obj_privs", "grant", m.obj_privs),
        ("history", "event", m.history),
    ):
        el = ET.SubElement(root, section)
        for row in rows:
            ET.SubElement(el, item, {k: str(v) for k, v in row.items() if v is not None})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def from_xml(data: bytes) -> Manifest:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise ValueError(f"not a PDB manifest: {e}") from e
    if root.tag != "PDB":
        raise ValueError("not a PDB manifest: the root element is not PDB")

    def text(tag: str) -> str:
        el = root.find(tag)
        return (el.text or "") if el is not None else ""

    eng = root.find("engine")
    m = Manifest(
        name=text("pdbname"),
        guid=text("guid"),
        dbid=int(text("dbid") or 0),
        con_id=int(text("con_id") or 0),
        created_at=float(text("creation_time") or 0),
        engine_version=eng.get("version", "") if eng is not None else "",
        storage_version=eng.get("storage_version", "") if eng is not None else "",
        byte_order=text("byteorder"),
        tier=text("tier"),
        lockdown_profile=text("lockdown_profile") or None,
        max_size=int(text("max_size")) if text("max_size") else None,
        max_temp_size=int(text("max_temp_size")) if text("max_temp_size") else None,
    )
    m.parameters = {p.get("name", ""): p.get("value", "") for p in root.iterfind("parameters/parameter")}
    m.files = [
        ManifestFile(f.get("name", ""), f.get("path", ""), int(f.get("size", "0")), f.get("sha256", ""))
        for f in root.iterfind("files/file")
    ]
    m.users = [dict(u.attrib) for u in root.iterfind("users/user")]
    m.roles = [dict(r.attrib) for r in root.iterfind("roles/role")]
    m.sys_privs = [dict(g.attrib) for g in root.iterfind("sys_privs/grant")]
    m.role_privs = [dict(g.attrib) for g in root.iterfind("role_privs/grant")]
    m.obj_privs = [dict(g.attrib) for g in root.iterfind("obj_privs/grant")]
    m.history = [dict(e.attrib) for e in root.iterfind("history/event")]
    return m


def write_archive(m: Manifest, target: Path, folder: Path) -> None:
    """A .pdb archive: manifest.xml plus the files, written to a temporary name and renamed."""
    part = target.with_name(target.name + ".part")
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        archived = []
        for f in m.files:
            z.write(folder / f.name, arcname=f.name)
            archived.append(ManifestFile(f.name, f.name, f.size, f.sha256))
        z.writestr(MANIFEST_NAME, to_xml(_with_files(m, archived)))
    with open(part, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, target)


def _with_files(m: Manifest, files: list[ManifestFile]) -> Manifest:
    copy = Manifest(**{k: getattr(m, k) for k in m.__dataclass_fields__})
    copy.files = files
    return copy


def read(path: Path) -> Manifest:
    """The manifest of an .xml file or a .pdb archive."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return from_xml(z.read(MANIFEST_NAME))
    return from_xml(path.read_bytes())


def check(m: Manifest, source: Path, tiers: set[str] | None = None) -> list[Violation]:
    """Plug-in violations of a manifest against its files and this CDB (nothing is plugged)."""
    out: list[Violation] = []
    if tiers is not None and m.tier and m.tier not in tiers:
        out.append(
            Violation(
                "WARNING",
                "Parameter mismatch",
                f"service tier {m.tier} does not exist in this CDB",
                "ALTER SYSTEM SET DB_PERFORMANCE_PROFILE in the PDB",
            )
        )
    archive = zipfile.is_zipfile(source)
    for f in m.files:
        if archive:
            with zipfile.ZipFile(source) as z:
                try:
                    info = z.getinfo(f.path)
                except KeyError:
                    out.append(
                        Violation(
                            "ERROR", "Missing file", f"{f.name} is not in {source.name}", "Unplug again"
                        )
                    )
                    continue
                size = info.file_size
                with z.open(info) as fh:
                    h = hashlib.sha256()
                    while chunk := fh.read(1 << 20):
                        h.update(chunk)
                    digest = h.hexdigest()
        else:
            p = Path(f.path)
            if not p.exists():
                out.append(
                    Violation("ERROR", "Missing file", f"data file {p} does not exist", "Restore the file")
                )
                continue
            size, digest = p.stat().st_size, sha256_of(p)
        if size != f.size or digest != f.sha256:
            out.append(
                Violation(
                    "ERROR",
                    "Checksum mismatch",
                    f"{f.name}: size {size} / sha256 {digest[:16]}... differ from the manifest's {f.size} / {f.sha256[:16]}...",
                    "Use the files that were unplugged with this manifest",
                )
            )
    if m.engine_version != engine_version():
        out.append(
            Violation(
                "WARNING",
                "Engine version",
                f"written by DuckDB {m.engine_version}, this CDB runs {engine_version()}",
                "The file is upgraded on first open if DuckDB can read it",
            )
        )
    if m.byte_order and m.byte_order != sys.byteorder:
        out.append(
            Violation(
                "ERROR", "Byte order", f"{m.byte_order}-endian file on a {sys.byteorder}-endian host", "None"
            )
        )
    return out
