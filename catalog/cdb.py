"""The container database: its folders, its catalog, and the lookups every command needs.

The PDB lifecycle lives in catalog.lifecycle, unplug and plug-in in catalog.plug; both reach the
running server (engines, sessions, budgets) only through the Runtime contract (catalog.runtime).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import string
from collections.abc import Callable
from pathlib import Path

import duckdb

from catalog.commands.plans import DEFAULT_DIRECTIVE
from catalog.runtime import Runtime
from catalog.store import ROOT_NAME, SEED_NAME, CatalogStore, Container
from conf import Config
from governance import resources
from pgwire import auth
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID

log = logging.getLogger("duckcdb.cdb")

OPEN_MODES = ("READ WRITE", "READ ONLY", "MIGRATE")


class Cdb:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.data_dir = config.data_dir
        self._file_tiers: dict[str, resources.Tier] = resources.load_tiers()
        self._tiers_cache: tuple[tuple[int, int], dict[str, resources.Tier]] | None = None
        self.store: CatalogStore | None = None
        self._runtime: Runtime | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self._limits_cache: dict[int, tuple[tuple[int, int], resources.Limits]] = {}
        # Views whose rows a higher layer computes, by name: fn(con_id) -> rows (set at start).
        self.extra_views: dict[str, Callable[[int], list[tuple[object, ...]]]] = {}

    @property
    def cat(self) -> CatalogStore:
        assert self.store is not None
        return self.store

    @property
    def tiers(self) -> dict[str, resources.Tier]:
        """The service tiers: conf/tiers.toml with the figures changed at runtime (ALTER SERVICE
        TIER, kept in the catalog) over it. Every reader of a tier's figures comes here."""
        if self.store is None:
            return self._file_tiers
        stamp = self.cat.change_stamp()
        hit = self._tiers_cache
        if hit is not None and stamp is not None and hit[0] == stamp:
            return hit[1]
        tiers = resources.with_overrides(self._file_tiers, self.cat.tier_overrides())
        if stamp is not None:
            self._tiers_cache = (stamp, tiers)
        return tiers

    def file_tier(self, name: str) -> resources.Tier | None:
        """A tier as conf/tiers.toml gives it (what ALTER SERVICE TIER ... RESET returns to)."""
        return self._file_tiers.get(name)

    @property
    def runtime(self) -> Runtime:
        assert self._runtime is not None, "the server's runtime is attached at start"
        return self._runtime

    def attach_runtime(self, runtime: Runtime) -> None:
        self._runtime = runtime

    # ------------------------------------------------------------ paths

    def pdb_dir(self, c: Container) -> Path:
        if c.con_id == ROOT_ID:
            return self.data_dir / "root"
        if c.con_id == SEED_ID:
            return self.data_dir / "seed"
        return self.location_dir(c.location) / c.guid

    def location_dir(self, location: str | None) -> Path:
        """The folder a storage location names (catalog.relocate): None is data/pdbs; a relative
        name is under the data directory; an absolute one is kept as it is (checked when set)."""
        if not location:
            return self.data_dir / "pdbs"
        p = Path(location)
        return p if p.is_absolute() else self.data_dir / p

    def db_file(self, c: Container) -> Path:
        return self.pdb_dir(c) / "data.duckdb"

    # ------------------------------------------------------------ start-up

    def initialize(self) -> str | None:
        """Open the catalog; on an empty data directory create the container. Returns a generated
        SYS password when one had to be generated (printed once by the caller)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        fresh = not (self.data_dir / "catalog.sqlite3").exists()
        self.store = CatalogStore(str(self.data_dir / "catalog.sqlite3"))
        if not fresh and self.cat.get_meta("initialized") == "yes":
            return None
        return self._create_container()

    def _create_container(self) -> str | None:
        generated = None
        password = os.environ.get("DUCKCDB_SYS_PASSWORD")
        if not password:
            alphabet = string.ascii_letters + string.digits
            password = "".join(secrets.choice(alphabet) for _ in range(24))
            generated = password
            pw_file = self.data_dir / "sys_password"
            fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(password + "\n")
        for sub in ("root", "seed", "pdbs", self.config.get("container", "exchange_dir")):
            (self.data_dir / sub).mkdir(parents=True, exist_ok=True)
        with self.cat.transaction():
            tier = self.config.get("container", "default_tier")
            if self.cat.container_by_id(ROOT_ID) is None:
                self.cat.insert_container(ROOT_ID, ROOT_NAME, "NORMAL", "READ WRITE", tier, None)
                self.cat.insert_container(SEED_ID, SEED_NAME, "NORMAL", "READ ONLY", tier, None)
            if self.cat.user("SYS", ROOT_ID) is None:
                self.cat.insert_user(
                    "SYS", ROOT_ID, True, auth.scram_verifier(password), self.md5(password, "SYS")
                )
                for priv in ("CREATE SESSION", "SET CONTAINER", "RESTRICTED SESSION", "SYSDBA"):
                    self.cat.grant_sys("SYS", ROOT_ID, priv, True)
        for c in (self.cat.container_by_id(ROOT_ID), self.cat.container_by_id(SEED_ID)):
            assert c is not None
            f = self.db_file(c)
            if not f.exists():
                part = f.with_name(f.name + ".part")
                part.unlink(missing_ok=True)
                con = duckdb.connect(str(part))
                con.execute("CHECKPOINT")
                con.close()
                os.replace(part, f)
        self.cat.set_meta("initialized", "yes")
        return generated

    def md5(self, password: str, user: str) -> str | None:
        """The MD5 verifier to store beside the SCRAM one, when the server authenticates with MD5."""
        return auth.md5_verifier(password, user) if self.config.get("auth", "method") == "md5" else None

    def recover(self, running: set[int] | frozenset[int] = frozenset()) -> None:
        """Settle operations a crash interrupted; the containers whose engines still run stay as
        they are."""
        for c in self.cat.containers():
            if c.pending_op == "RELOCATE":
                self.settle_relocation(c)  # an engine still running serves the old folder: undone
                c = self.cat.container_by_id(c.con_id) or c
            if c.con_id in running:
                continue
            if c.pending_op == "CREATE":
                log.warning("PDB %s was being created when the server stopped: marked UNUSABLE", c.name)
                self.cat.update_container(c.con_id, status="UNUSABLE", open_mode="MOUNTED", pending_op=None)
            elif c.pending_op == "DROP":
                log.warning("finishing the interrupted drop of PDB %s", c.name)
                shutil.rmtree(self.pdb_dir(c), ignore_errors=True)
                with self.cat.transaction():
                    self.cat.add_history(c, "DROP")
                    self.cat.delete_container(c.con_id)
            elif c.pending_op == "UNPLUG":
                log.warning("the unplug of PDB %s was interrupted: it stays plugged in, closed", c.name)
                self.cat.update_container(c.con_id, pending_op=None, open_mode="MOUNTED")
            elif c.con_id > SEED_ID and c.open_mode != "MOUNTED":
                self.cat.update_container(c.con_id, open_mode="MOUNTED")

    def settle_relocation(self, c: Container) -> None:
        """A RELOCATE (catalog.relocate) a crash interrupted: finished when the new folder is
        complete (renamed into place), else undone (a part copy removed); whole in one place."""
        target = None if c.relocate_to in (None, "pdbs") else c.relocate_to
        new_dir = self.location_dir(target) / c.guid
        old_dir = self.pdb_dir(c)
        shutil.rmtree(new_dir.with_name(new_dir.name + ".part"), ignore_errors=True)
        if new_dir.exists() and old_dir.resolve() != new_dir.resolve():
            log.warning("finishing the interrupted relocation of PDB %s to %s", c.name, new_dir.parent)
            shutil.rmtree(old_dir, ignore_errors=True)
            with self.cat.transaction():
                self.cat.update_container(c.con_id, location=target, pending_op=None, relocate_to=None)
                self.cat.add_history(c, "RELOCATE")
        else:
            log.warning("the relocation of PDB %s was interrupted: it stays in %s", c.name, old_dir.parent)
            self.cat.update_container(c.con_id, pending_op=None, relocate_to=None)

    # ------------------------------------------------------------ limits

    def limits(self, c: Container) -> resources.Limits:
        """The budgets c runs within: its tier's, with its own parameters and STORAGE clause over them."""
        over = self.cat.pdb_parameters(c.con_id)
        if c.max_size is not None:
            over["MAX_PDB_STORAGE"] = str(c.max_size)
        if c.max_temp_size is not None:
            over["MAX_SHARED_TEMP_SIZE"] = str(c.max_temp_size)
        return resources.effective(self.tiers, c.tier, over, self._plan_directive(c))

    def _plan_directive(self, c: Container) -> resources.Directive | None:
        """c's directive in the CDB resource plan in force (RESOURCE_MANAGER_PLAN), else the plan's
        default directive; None without a plan."""
        plan = self.cat.get_meta("resource_manager_plan")
        if not plan:
            return None
        found = self.cat.plan_directive(plan, c.name) or self.cat.plan_directive(plan, DEFAULT_DIRECTIVE)
        return resources.Directive(*found) if found else resources.Directive()

    def limits_of(self, con_id: int) -> resources.Limits | None:
        """limits() of a PDB by id, cached until the catalog changes; None for the root and the seed."""
        if con_id <= SEED_ID:
            return None
        stamp = self.cat.change_stamp()
        hit = self._limits_cache.get(con_id)
        if hit is not None and stamp is not None and hit[0] == stamp:
            return hit[1]
        c = self.cat.container_by_id(con_id)
        if c is None:
            return None
        lim = self.limits(c)
        if stamp is not None:
            self._limits_cache[con_id] = (stamp, lim)
        return lim

    # ------------------------------------------------------------ lookups

    def lock(self, con_id: int) -> asyncio.Lock:
        """Serializes the lifecycle commands of one container."""
        return self._locks.setdefault(con_id, asyncio.Lock())

    def find(self, name: str) -> Container | None:
        return self.cat.container(name)

    def require_pdb(self, name: str) -> Container:
        c = self.find(name)
        if c is None or c.con_id == ROOT_ID:
            raise ora(65011, name=name.upper())
        return c

    def size_of(self, con_id: int) -> int:
        """Bytes of a container's files (database and WAL)."""
        c = self.cat.container_by_id(con_id)
        if c is None:
            return 0
        total = 0
        for f in (self.db_file(c), self.db_file(c).with_name("data.duckdb.wal")):
            try:
                total += f.stat().st_size
            except OSError:
                pass
        return total

    def resource_metrics(self, con_id: int, history: bool) -> list[tuple[object, ...]]:
        """V$RSRCPDBMETRIC rows: what the runtime measured (catalog.dictionary's Live)."""
        return self.runtime.resource_metrics(con_id, history)

    def extra_rows(self, view: str, con_id: int) -> list[tuple[object, ...]]:
        """Rows of the views a higher layer registered (metering: CDB_METERING, CDB_BILLING, ...)."""
        fn = self.extra_views.get(view)
        return fn(con_id) if fn is not None else []

    def show_pdbs(self, con_id: int) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        for c in self.cat.containers():
            if c.con_id == ROOT_ID or (con_id != ROOT_ID and c.con_id != con_id):
                continue
            restricted = None if c.open_mode == "MOUNTED" else ("YES" if c.restricted else "NO")
            rows.append((c.con_id, c.name, c.open_mode, restricted))
        return rows
