"""Users, roles, system and object privileges, and what a user holds through them."""

from __future__ import annotations

import json
import time

from catalog.store.base import StoreBase
from catalog.store.models import COMMON_GRANT, SYSTEM_PRIVILEGES, Grant, Role, User


class PrincipalRows(StoreBase):
    def user(self, name: str, con_id: int) -> User | None:
        """The user that logs in as name to container con_id: a local user there, or a common user."""
        row = self.db.execute(
            "SELECT name, con_id, common, scram, md5, account_status FROM users"
            " WHERE name = ? AND (con_id = ? OR common = 1) ORDER BY common LIMIT 1",
            (name, con_id),
        ).fetchone()
        return User(row[0], row[1], bool(row[2]), row[3], row[4], row[5]) if row else None

    def insert_user(
        self,
        name: str,
        con_id: int,
        common: bool,
        scram: str,
        md5: str | None,
        account_status: str = "OPEN",
    ) -> None:
        self.db.execute(
            "INSERT INTO users (name, con_id, common, scram, md5, account_status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, con_id, int(common), scram, md5, account_status, time.time()),
        )

    def set_password(self, name: str, con_id: int, scram: str, md5: str | None) -> None:
        self.db.execute(
            "UPDATE users SET scram = ?, md5 = ? WHERE name = ? AND con_id = ?", (scram, md5, name, con_id)
        )

    def set_account_status(self, name: str, con_id: int, status: str) -> None:
        self.db.execute(
            "UPDATE users SET account_status = ? WHERE name = ? AND con_id = ?", (status, name, con_id)
        )

    def drop_user(self, name: str, con_id: int, common: bool) -> None:
        """The user row and every grant to it (in all containers for a common user)."""
        self._drop_grantee(name, con_id, common)
        self.db.execute("DELETE FROM users WHERE name = ? AND con_id = ?", (name, con_id))

    def allowed_schemas(self, name: str, con_id: int) -> list[str] | None:
        """The schemas a user may touch (None: all), from ALTER USER ... ALLOWED SCHEMAS."""
        row = self.db.execute(
            "SELECT allowed_schemas FROM users WHERE name = ? AND con_id = ?", (name, con_id)
        ).fetchone()
        return json.loads(row[0]) if row and row[0] is not None else None

    def user_session_limits(self, name: str, con_id: int) -> dict[str, str]:
        """A user's own session limits (ALTER USER u SET STATEMENT_TIMEOUT = ...)."""
        row = self.db.execute(
            "SELECT session_limits FROM users WHERE name = ? AND con_id = ?", (name, con_id)
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def set_user_session_limit(self, name: str, con_id: int, param: str, value: str | None) -> None:
        limits = self.user_session_limits(name, con_id)
        if value is None:
            limits.pop(param, None)
        else:
            limits[param] = value
        self.db.execute(
            "UPDATE users SET session_limits = ? WHERE name = ? AND con_id = ?",
            (json.dumps(limits) if limits else None, name, con_id),
        )

    def set_allowed_schemas(self, name: str, con_id: int, schemas: list[str] | None) -> None:
        value = None if schemas is None else json.dumps(sorted({s.lower() for s in schemas}))
        self.db.execute(
            "UPDATE users SET allowed_schemas = ? WHERE name = ? AND con_id = ?", (value, name, con_id)
        )

    def all_users(self) -> list[User]:
        rows = self.db.execute(
            "SELECT name, con_id, common, scram, md5, account_status, user_id, created_at, allowed_schemas FROM users"
            " ORDER BY name, con_id"
        ).fetchall()
        return [
            User(
                r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6] or 0, r[7], json.loads(r[8]) if r[8] else None
            )
            for r in rows
        ]

    def copy_local_users(self, src_con_id: int, dst_con_id: int) -> None:
        """A clone gets the source's local users, roles and grants, as in Oracle."""
        self.db.execute(
            "INSERT INTO users (name, con_id, common, scram, md5, account_status, created_at)"
            " SELECT name, ?, common, scram, md5, account_status, created_at FROM users WHERE con_id = ? AND common = 0",
            (dst_con_id, src_con_id),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO roles (name, con_id, common, oracle_maintained, created_at)"
            " SELECT name, ?, common, oracle_maintained, created_at FROM roles WHERE con_id = ? AND common = 0",
            (dst_con_id, src_con_id),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO sys_privs (grantee, con_id, privilege, common, admin_option)"
            " SELECT grantee, ?, privilege, common, admin_option FROM sys_privs WHERE con_id = ? AND common = 0",
            (dst_con_id, src_con_id),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO role_privs (grantee, con_id, role, common, admin_option)"
            " SELECT grantee, ?, role, common, admin_option FROM role_privs WHERE con_id = ? AND common = 0",
            (dst_con_id, src_con_id),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO obj_privs SELECT grantee, ?, schema_name, object_name, privilege FROM obj_privs"
            " WHERE con_id = ?",
            (dst_con_id, src_con_id),
        )

    def role(self, name: str, con_id: int) -> Role | None:
        """The role name as seen from container con_id: a local role there, a common role, or PDB_DBA."""
        row = self.db.execute(
            "SELECT name, con_id, common, oracle_maintained FROM roles WHERE name = ?"
            " AND (con_id = ? OR common = 1 OR (con_id = 0 AND ? != 1)) ORDER BY common LIMIT 1",
            (name, con_id, con_id),
        ).fetchone()
        return Role(row[0], row[1], bool(row[2]), bool(row[3])) if row else None

    def insert_role(self, name: str, con_id: int, common: bool, oracle_maintained: bool = False) -> None:
        self.db.execute(
            "INSERT INTO roles (name, con_id, common, oracle_maintained, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, con_id, int(common), int(oracle_maintained), time.time()),
        )

    def drop_role(self, name: str, con_id: int, common: bool) -> None:
        """The role, its grants to others, and the grants of it (everywhere for a common role)."""
        self._drop_grantee(name, con_id, common)
        if common:
            self.db.execute("DELETE FROM role_privs WHERE role = ?", (name,))
        else:
            self.db.execute(
                "DELETE FROM role_privs WHERE role = ? AND con_id = ? AND common = 0", (name, con_id)
            )
        self.db.execute("DELETE FROM roles WHERE name = ? AND con_id = ?", (name, con_id))

    def all_roles(self) -> list[Role]:
        rows = self.db.execute(
            "SELECT name, con_id, common, oracle_maintained FROM roles ORDER BY name"
        ).fetchall()
        return [Role(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows]

    def name_in_use(self, name: str, con_id: int, common: bool) -> bool:
        """Whether a new user or role called name would clash: anywhere for a common one, else in con_id."""
        if common:
            sql = "SELECT 1 FROM users WHERE name = ? UNION ALL SELECT 1 FROM roles WHERE name = ?"
            return self.db.execute(sql, (name, name)).fetchone() is not None
        return self.user(name, con_id) is not None or self.role(name, con_id) is not None

    def _drop_grantee(self, name: str, con_id: int, common: bool) -> None:
        for table in ("sys_privs", "role_privs"):
            if common:
                self.db.execute(f"DELETE FROM {table} WHERE grantee = ?", (name,))
            else:
                self.db.execute(
                    f"DELETE FROM {table} WHERE grantee = ? AND con_id = ? AND common = 0", (name, con_id)
                )

    def grant_sys(
        self, grantee: str, con_id: int, privilege: str, common: bool, admin_option: bool = False
    ) -> None:
        """Grant in con_id (common=False) or with CONTAINER=ALL (common=True: stored as COMMON_GRANT).
        A repeated grant keeps the row and adds an ADMIN OPTION, never removes one."""
        self.db.execute(
            "INSERT INTO sys_privs (grantee, con_id, privilege, common, admin_option) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (grantee, con_id, privilege) DO UPDATE SET admin_option = MAX(admin_option, excluded.admin_option)",
            (grantee, COMMON_GRANT if common else con_id, privilege, int(common), int(admin_option)),
        )

    def grant_role(
        self, grantee: str, con_id: int, role: str, common: bool, admin_option: bool = False
    ) -> None:
        self.db.execute(
            "INSERT INTO role_privs (grantee, con_id, role, common, admin_option) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (grantee, con_id, role) DO UPDATE SET admin_option = MAX(admin_option, excluded.admin_option)",
            (grantee, COMMON_GRANT if common else con_id, role, int(common), int(admin_option)),
        )

    def revoke_sys(self, grantee: str, con_id: int, privilege: str, common: bool) -> bool:
        """Remove the grant made in con_id (or with CONTAINER=ALL); False when there was none."""
        if common:
            cur = self.db.execute(
                "DELETE FROM sys_privs WHERE grantee = ? AND privilege = ? AND common = 1",
                (grantee, privilege),
            )
        else:
            cur = self.db.execute(
                "DELETE FROM sys_privs WHERE grantee = ? AND privilege = ? AND con_id = ? AND common = 0",
                (grantee, privilege, con_id),
            )
        return cur.rowcount > 0

    def revoke_role(self, grantee: str, con_id: int, role: str, common: bool) -> bool:
        if common:
            cur = self.db.execute(
                "DELETE FROM role_privs WHERE grantee = ? AND role = ? AND common = 1", (grantee, role)
            )
        else:
            cur = self.db.execute(
                "DELETE FROM role_privs WHERE grantee = ? AND role = ? AND con_id = ? AND common = 0",
                (grantee, role, con_id),
            )
        return cur.rowcount > 0

    def sys_grants(self, grantee: str | None = None) -> list[Grant]:
        """sys_privs rows (of one grantee, or all)."""
        sql = "SELECT grantee, con_id, privilege, common, admin_option FROM sys_privs"
        rows = self.db.execute(
            sql + (" WHERE grantee = ?" if grantee else "") + " ORDER BY grantee, privilege",
            (grantee,) if grantee else (),
        ).fetchall()
        return [Grant(r[0], r[1], r[2], bool(r[3]), bool(r[4])) for r in rows]

    def role_grants(self, grantee: str | None = None) -> list[Grant]:
        """role_privs rows (of one grantee, or all)."""
        sql = "SELECT grantee, con_id, role, common, admin_option FROM role_privs"
        rows = self.db.execute(
            sql + (" WHERE grantee = ?" if grantee else "") + " ORDER BY grantee, role",
            (grantee,) if grantee else (),
        ).fetchall()
        return [Grant(r[0], r[1], r[2], bool(r[3]), bool(r[4])) for r in rows]

    def effective_roles(
        self, name: str, con_id: int, *, common_only: bool = False, include_public: bool = True
    ) -> set[str]:
        """The roles name holds in container con_id: granted there or with CONTAINER=ALL, to it or
        (include_public) to PUBLIC, and through those roles recursively. common_only: CONTAINER=ALL
        grants only."""
        scope = "common = 1" if common_only else "(common = 1 OR con_id = ?)"
        args: tuple[object, ...] = () if common_only else (con_id,)
        held: set[str] = set()
        frontier = {name, "PUBLIC"} if include_public else {name}
        while frontier:
            marks = ", ".join("?" * len(frontier))
            rows = self.db.execute(
                f"SELECT role FROM role_privs WHERE grantee IN ({marks}) AND {scope}", (*frontier, *args)
            ).fetchall()
            frontier = {r[0] for r in rows} - held
            held |= frontier
        return held

    def effective_privileges(self, user_name: str, con_id: int, *, common_only: bool = False) -> set[str]:
        """The system privileges user_name has in container con_id: direct grants there, CONTAINER=ALL
        grants, grants to PUBLIC, and through roles recursively. SYS has every privilege."""
        if user_name == "SYS":
            return set(SYSTEM_PRIVILEGES)
        grantees = {user_name, "PUBLIC"} | self.effective_roles(user_name, con_id, common_only=common_only)
        scope = "common = 1" if common_only else "(common = 1 OR con_id = ?)"
        args: tuple[object, ...] = () if common_only else (con_id,)
        marks = ", ".join("?" * len(grantees))
        rows = self.db.execute(
            f"SELECT DISTINCT privilege FROM sys_privs WHERE grantee IN ({marks}) AND {scope}",
            (*grantees, *args),
        ).fetchall()
        return {r[0] for r in rows}

    def has_privilege(self, user: User, con_id: int, privilege: str) -> bool:
        """Directly, through CONTAINER=ALL, through PUBLIC, or through granted roles (recursively)."""
        return privilege in self.effective_privileges(user.name, con_id)

    def has_admin_option(
        self, grantee: str, con_id: int, what: str, *, role: bool, common_only: bool
    ) -> bool:
        """Whether grantee was granted the privilege (or role) directly WITH ADMIN OPTION, in con_id or
        with CONTAINER=ALL (common_only: with CONTAINER=ALL only)."""
        table, col = ("role_privs", "role") if role else ("sys_privs", "privilege")
        scope = "common = 1" if common_only else "(common = 1 OR con_id = ?)"
        args: tuple[object, ...] = () if common_only else (con_id,)
        row = self.db.execute(
            f"SELECT 1 FROM {table} WHERE grantee = ? AND {col} = ? AND admin_option = 1 AND {scope}",
            (grantee, what, *args),
        ).fetchone()
        return row is not None

    def grant_object(self, grantee: str, con_id: int, schema: str, obj: str, privilege: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO obj_privs VALUES (?, ?, ?, ?, ?)",
            (grantee, con_id, schema, obj, privilege),
        )

    def revoke_object(self, grantee: str, con_id: int, schema: str, obj: str, privilege: str) -> bool:
        cur = self.db.execute(
            "DELETE FROM obj_privs WHERE grantee = ? AND con_id = ? AND schema_name = ? AND object_name = ?"
            " AND privilege = ?",
            (grantee, con_id, schema, obj, privilege),
        )
        return cur.rowcount > 0

    def object_grants(self, con_id: int) -> list[tuple[str, str, str, str]]:
        """(grantee, schema, object, privilege) of one container."""
        return self.db.execute(
            "SELECT grantee, schema_name, object_name, privilege FROM obj_privs WHERE con_id = ?"
            " ORDER BY grantee, schema_name, object_name, privilege",
            (con_id,),
        ).fetchall()

    def object_privileges(self, grantees: set[str], con_id: int) -> set[tuple[str, str, str]]:
        """(schema, object, privilege) held in con_id by any of grantees (a user and its roles)."""
        if not grantees:
            return set()
        marks = ", ".join("?" for _ in grantees)
        rows = self.db.execute(
            f"SELECT schema_name, object_name, privilege FROM obj_privs WHERE con_id = ? AND grantee IN ({marks})",
            (con_id, *sorted(grantees)),
        ).fetchall()
        return {(r[0], r[1], r[2]) for r in rows}
