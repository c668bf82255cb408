"""Lockdown profiles: Oracle's CREATE / ALTER / DROP LOCKDOWN PROFILE and ALTER SYSTEM SET PDB_LOCKDOWN,
parsed from sqlglot tokens and executed against the catalog store. policies.lockdown applies them.

```sql
CREATE LOCKDOWN PROFILE [IF NOT EXISTS] p [FROM base | INCLUDING base];
ALTER LOCKDOWN PROFILE p {DISABLE | ENABLE}
  { STATEMENT {= ('ALTER SYSTEM', ...) | [=] ALL [EXCEPT = (...)]}
      [CLAUSE {= ('SET', ...) | [=] ALL [EXCEPT = (...)]}
        [OPTION {= ('CPU_COUNT', ...) | [=] ALL [EXCEPT = (...)]}
          [VALUE = ('v', ...) | [MINVALUE = 'n'] [MAXVALUE = 'n']]]]
  | FEATURE {= ('NETWORK_ACCESS', 'OS_ACCESS', ...) | [=] ALL [EXCEPT = (...)]}
  | OPTION  {= ('OLAP', ...) | [=] ALL [EXCEPT = (...)]} }
  [USERS = {ALL | COMMON | LOCAL}];
DROP LOCKDOWN PROFILE [IF EXISTS] p;
ALTER SYSTEM SET PDB_LOCKDOWN = p | '';   -- in CDB$ROOT: every PDB; in a PDB: that PDB
ALTER SYSTEM RESET PDB_LOCKDOWN;          -- the same as = ''
```

- FROM copies the rules in force in base once; INCLUDING keeps following base (its rules, as they are
  when a statement is checked, apply before the profile's own). A new profile disables nothing.
- The shipped PRIVATE_DBAAS, SAAS and PUBLIC_DBAAS exist from the start, empty; they can be altered
  but not dropped (ORA-02381).
- Lockdown DDL runs only in CDB$ROOT (ORA-65040 in a PDB) and only for SYS or a user with SYSDBA
  (ORA-01031). PDB_LOCKDOWN in CDB$ROOT needs the same; in a PDB it needs a common user with SYSDBA
  or ALTER SYSTEM granted commonly (as Oracle), so a PDB's local administrator cannot lift it.
- Unknown profile: ORA-65208; duplicate: ORA-65209; unknown statement, clause, feature or option
  name: ORA-00922; PDB_LOCKDOWN named as a rule's option: ORA-65370.
- A rule with the same scope as an existing one (everything but ENABLE/DISABLE) replaces it; rules
  apply in the order they were made, the last match deciding (see policies.lockdown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from catalog.store import CatalogStore, User
from pgcompat.statements import Statement
from pgcompat.words import Words
from pgcompat.words import syntax_error as _syntax
from pgwire.oracle import ora
from policies.lockdown import (
    BUNDLES,
    CLAUSES,
    DB_OPTIONS,
    FEATURES,
    OPTION_CLAUSES,
    STATEMENT_ALIASES,
    STATEMENTS,
    parse_number,
    resolved_rules,
)
from policies.source import ROOT_ID, SEED_ID, LockdownRule

_NAME = re.compile(r"^[A-Z][A-Z0-9_$#]*$")
_MAX_NAME = 128


# ------------------------------------------------------------------ commands


@dataclass
class CreateProfile:
    name: str
    base: str | None = None
    including: bool = False  # INCLUDING base (followed) rather than FROM base (copied)
    if_not_exists: bool = False


@dataclass
class AlterProfile:
    name: str
    status: str  # DISABLE or ENABLE
    rule_type: str  # STATEMENT, FEATURE or OPTION
    rules: list[str]  # names, or ["ALL"]
    rule_except: list[str] = field(default_factory=list)
    clauses: list[str] | None = None  # None: the whole statement; ["ALL"]: every clause
    clause_except: list[str] = field(default_factory=list)
    options: list[str] | None = None
    option_except: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    min_value: str | None = None
    max_value: str | None = None
    users: str = "ALL"


@dataclass
class DropProfile:
    name: str
    if_exists: bool = False


@dataclass
class SetPdbLockdown:
    profile: str | None  # None: clear it (= '' or RESET)
    exact: bool = False  # a quoted name: not upper-cased


LockdownCommand = CreateProfile | AlterProfile | DropProfile | SetPdbLockdown


# ------------------------------------------------------------------ tokens


class _P(Words):
    def expect_punct(self, text: str) -> None:
        if not self.accept_punct(text):
            it = self.peek()
            raise _syntax(f"expected {text}, found {it.text if it else 'end of statement'}")

    def end(self) -> None:
        if not self.at_end():
            raise _syntax(self.next().text)

    def profile_name(self) -> str:
        it = self.peek()
        if it is None or it.punct or it.string:
            raise _syntax("missing or invalid lockdown profile name")
        self.i += 1
        if it.quoted:
            if not it.text or len(it.text) > _MAX_NAME:
                raise _syntax("missing or invalid lockdown profile name")
            return it.text
        name = it.text.upper()
        if not _NAME.match(name) or len(name) > _MAX_NAME:
            raise _syntax(f"invalid lockdown profile name {it.text}")
        return name

    def value(self) -> str:
        """A quoted string or a bare word or number (2G is one item)."""
        it = self.next()
        if it.punct:
            raise _syntax(it.text)
        return it.text

    def names(self) -> list[str]:
        """( 'name' [, 'name' ...] ): strings or bare words, upper-cased, spaces collapsed."""
        self.expect_punct("(")
        out: list[str] = []
        while True:
            it = self.next()
            if it.punct:
                raise _syntax(it.text)
            words = [it.text]
            nxt = self.peek()
            while not it.quoted and nxt is not None and not nxt.punct and not nxt.quoted:
                words.append(self.next().text)  # unquoted: ALTER SYSTEM
                nxt = self.peek()
            out.append(" ".join(" ".join(words).split()).upper())
            if self.accept_punct(")"):
                return list(dict.fromkeys(out))
            self.expect_punct(",")

    def selection(self) -> tuple[list[str], list[str]]:
        """After STATEMENT / CLAUSE / OPTION / FEATURE: = (list) | [=] ALL [EXCEPT [=] (list)]."""
        self.accept_punct("=")
        if self.accept("ALL"):
            excepts: list[str] = []
            if self.accept("EXCEPT"):
                self.accept_punct("=")
                excepts = self.names()
            return ["ALL"], excepts
        return self.names(), []


# ------------------------------------------------------------------ classification and parsing


def parse_lockdown_command(stmt: Statement) -> LockdownCommand:
    p = _P(stmt)
    if p.accept("CREATE", "LOCKDOWN", "PROFILE"):
        cmd = CreateProfile(name="", if_not_exists=p.accept("IF", "NOT", "EXISTS"))
        cmd.name = p.profile_name()
        if p.accept("FROM"):
            cmd.base = p.profile_name()
        elif p.accept("INCLUDING"):
            cmd.base, cmd.including = p.profile_name(), True
        p.end()
        return cmd
    if p.accept("DROP", "LOCKDOWN", "PROFILE"):
        if_exists = p.accept("IF", "EXISTS")
        drop = DropProfile(p.profile_name(), if_exists)
        p.end()
        return drop
    if p.accept("ALTER", "LOCKDOWN", "PROFILE"):
        return _alter(p)
    if p.accept("ALTER", "SYSTEM"):
        return _set_pdb_lockdown(p)
    raise _syntax(" ".join(stmt.words[:3]))


def _set_pdb_lockdown(p: _P) -> SetPdbLockdown:
    if p.accept("RESET", "PDB_LOCKDOWN"):
        cmd = SetPdbLockdown(None)
    else:
        p.expect("SET", "PDB_LOCKDOWN")
        p.expect_punct("=")
        it = p.peek()
        if it is None or it.punct:
            raise _syntax("PDB_LOCKDOWN needs a lockdown profile name or ''")
        if it.string:
            p.next()
            name = it.text.strip()
            cmd = SetPdbLockdown(name or None, exact=True)
        else:
            cmd = SetPdbLockdown(p.profile_name(), exact=it.quoted)
    # ALTER SYSTEM options: accepted, no effect (the catalog is the one copy of the parameter).
    while not p.at_end():
        if p.peek_word() in ("SCOPE", "SID", "CONTAINER", "COMMENT"):
            p.next()
            p.expect_punct("=")
            p.value()
        elif not p.accept("DEFERRED"):
            raise _syntax(p.next().text)
    return cmd


def _alter(p: _P) -> AlterProfile:
    name = p.profile_name()
    if p.accept("DISABLE"):
        status = "DISABLE"
    elif p.accept("ENABLE"):
        status = "ENABLE"
    else:
        raise _syntax(f"expected DISABLE or ENABLE, found {p.peek_word() or 'end of statement'}")
    if p.accept("STATEMENT"):
        rules, excepts = p.selection()
        rules = [STATEMENT_ALIASES.get(r, r) for r in rules]
        excepts = [STATEMENT_ALIASES.get(r, r) for r in excepts]
        cmd = AlterProfile(name, status, "STATEMENT", rules, excepts)
        for s in [r for r in rules if r != "ALL"] + excepts:
            if s not in STATEMENTS:
                raise _syntax(f"unknown statement '{s}' in a lockdown rule")
        if p.accept("CLAUSE"):
            _clauses(p, cmd)
    elif p.accept("FEATURE"):
        rules, excepts = p.selection()
        cmd = AlterProfile(name, status, "FEATURE", rules, excepts)
        for f in [r for r in rules if r != "ALL"] + excepts:
            if f not in FEATURES and f not in BUNDLES:
                raise _syntax(f"unknown feature '{f}' in a lockdown rule")
    elif p.accept("OPTION"):
        rules, excepts = p.selection()
        rules = [r.replace(" ", "_") for r in rules]
        excepts = [r.replace(" ", "_") for r in excepts]
        cmd = AlterProfile(name, status, "OPTION", rules, excepts)
        for o in [r for r in rules if r != "ALL"] + excepts:
            if o not in DB_OPTIONS:
                raise _syntax(f"unknown option '{o}' in a lockdown rule")
    else:
        raise _syntax(f"expected STATEMENT, FEATURE or OPTION, found {p.peek_word() or 'end of statement'}")
    if p.accept("USERS"):
        p.accept_punct("=")
        users = p.peek_word()
        if users not in ("ALL", "COMMON", "LOCAL"):
            raise _syntax(f"USERS = {users or 'end of statement'}")
        p.next()
        cmd.users = users
    p.end()
    return cmd


def _clauses(p: _P, cmd: AlterProfile) -> None:
    """CLAUSE ... [OPTION ... [VALUE | MINVALUE | MAXVALUE]] of a STATEMENT rule."""
    if cmd.rules == ["ALL"]:
        raise _syntax("CLAUSE needs named statements, not STATEMENT = ALL")
    cmd.clauses, cmd.clause_except = p.selection()
    known = {c for s in cmd.rules for c in CLAUSES.get(s, ())}
    if not known:
        raise _syntax(f"{', '.join(cmd.rules)} has no clauses a lockdown rule can name")
    for c in [c for c in cmd.clauses if c != "ALL"] + cmd.clause_except:
        if c not in known:
            raise _syntax(f"unknown clause '{c}' of {', '.join(cmd.rules)} in a lockdown rule")
    if not p.accept("OPTION"):
        return
    named = [c for c in cmd.clauses if c != "ALL"]
    if not named or any(c not in OPTION_CLAUSES for c in named):
        raise _syntax("OPTION needs CLAUSE = ('SET') or ('RESET')")
    options, option_except = p.selection()
    cmd.options = [o.replace(" ", "_") for o in options]
    cmd.option_except = [o.replace(" ", "_") for o in option_except]
    for o in cmd.options + cmd.option_except:
        if o == "PDB_LOCKDOWN":
            raise ora(65370, name=o)
        if o != "ALL" and not _NAME.match(o):
            raise _syntax(f"invalid option name '{o}' in a lockdown rule")
    while not p.at_end() and p.peek_word() in ("VALUE", "MINVALUE", "MAXVALUE"):
        word = p.next().word
        p.accept_punct("=")
        if word == "VALUE":
            if cmd.values:
                raise _syntax("VALUE given twice")
            nxt = p.peek()
            if nxt is not None and nxt.punct:
                cmd.values = _values(p)
            else:
                cmd.values = [p.value()]
        elif word == "MINVALUE":
            cmd.min_value = _bound(p, word)
        else:
            cmd.max_value = _bound(p, word)
    if cmd.values and (cmd.min_value is not None or cmd.max_value is not None):
        raise _syntax("VALUE cannot be combined with MINVALUE or MAXVALUE")
    if cmd.min_value is not None and cmd.max_value is not None:
        lo, hi = parse_number(cmd.min_value), parse_number(cmd.max_value)
        if lo is not None and hi is not None and lo > hi:
            raise _syntax(f"MINVALUE {cmd.min_value} is above MAXVALUE {cmd.max_value}")


def _values(p: _P) -> list[str]:
    p.expect_punct("(")
    out = [p.value()]
    while p.accept_punct(","):
        out.append(p.value())
    p.expect_punct(")")
    return out


def _bound(p: _P, word: str) -> str:
    v = p.value()
    if parse_number(v) is None:
        raise _syntax(f"{word} must be a number, not '{v}'")
    return v


# ------------------------------------------------------------------ execution


def execute_lockdown_command(store: CatalogStore, cmd: LockdownCommand, *, con_id: int, actor: User) -> str:
    """Apply cmd in container con_id on behalf of actor; returns the command tag. One transaction:
    an error leaves the catalog as it was."""
    if isinstance(cmd, SetPdbLockdown):
        return _exec_set(store, cmd, con_id, actor)
    if con_id != ROOT_ID:
        raise ora(65040)
    _require_sysdba(store, actor)
    with store.transaction():
        if isinstance(cmd, CreateProfile):
            return _exec_create(store, cmd)
        if isinstance(cmd, DropProfile):
            return _exec_drop(store, cmd)
        return _exec_alter(store, cmd)


def _require_sysdba(store: CatalogStore, actor: User) -> None:
    if actor.name == "SYS" and actor.common:
        return
    if "SYSDBA" not in store.effective_privileges(actor.name, ROOT_ID):
        raise ora(1031)


def _exec_create(store: CatalogStore, cmd: CreateProfile) -> str:
    if store.lockdown_profile(cmd.name) is not None:
        if cmd.if_not_exists:
            return "CREATE LOCKDOWN PROFILE"
        raise ora(65209, name=cmd.name)
    if cmd.base is not None and store.lockdown_profile(cmd.base) is None:
        raise ora(65208, name=cmd.base)
    if cmd.including:
        store.insert_lockdown_profile(cmd.name, base=cmd.base)
        return "CREATE LOCKDOWN PROFILE"
    store.insert_lockdown_profile(cmd.name)
    if cmd.base is not None:
        # FROM: the rules in force in base now (its INCLUDING chain resolved), copied once.
        for rule, _ in resolved_rules(store, cmd.base):
            store.add_lockdown_rule(replace(rule, id=0, profile=cmd.name))
    return "CREATE LOCKDOWN PROFILE"


def _exec_drop(store: CatalogStore, cmd: DropProfile) -> str:
    profile = store.lockdown_profile(cmd.name)
    if profile is None:
        if cmd.if_exists:
            return "DROP LOCKDOWN PROFILE"
        raise ora(65208, name=cmd.name)
    if profile.shipped:
        raise ora(2381, name=profile.name)
    store.delete_lockdown_profile(profile.name)
    return "DROP LOCKDOWN PROFILE"


def _exec_alter(store: CatalogStore, cmd: AlterProfile) -> str:
    if store.lockdown_profile(cmd.name) is None:
        raise ora(65208, name=cmd.name)
    clauses: list[str | None] = list(cmd.clauses) if cmd.clauses is not None else [None]
    options: list[str | None] = list(cmd.options) if cmd.options is not None else [None]
    for rule in cmd.rules:
        for clause in clauses:
            for option in options:
                if option is not None and clause not in OPTION_CLAUSES:
                    continue  # CLAUSE = ('SET', 'RESET') OPTION = (...): each option-bearing clause
                store.add_lockdown_rule(
                    LockdownRule(
                        0,
                        cmd.name,
                        cmd.rule_type,
                        rule,
                        cmd.status,
                        cmd.users,
                        tuple(cmd.rule_except) if rule == "ALL" else (),
                        clause,
                        tuple(cmd.clause_except) if clause == "ALL" else (),
                        option,
                        tuple(cmd.option_except) if option == "ALL" else (),
                        tuple(cmd.values) if option is not None else (),
                        cmd.min_value if option is not None else None,
                        cmd.max_value if option is not None else None,
                    )
                )
    return "ALTER LOCKDOWN PROFILE"


def require_common_alter_system(store: CatalogStore, actor: User, con_id: int) -> None:
    """ALTER SYSTEM of the provider's settings (lockdown, resource budgets): SYS, or a common user
    holding ALTER SYSTEM (or SYSDBA) commonly, as in Oracle; a PDB's local users never, so that a
    tenant's administrator cannot lift its own limits. ORA-01031 otherwise."""
    if actor.name == "SYS" and actor.common:
        return
    if con_id == ROOT_ID:
        held = store.effective_privileges(actor.name, ROOT_ID)
    elif actor.common:
        held = store.effective_privileges(actor.name, con_id, common_only=True)
    else:
        held = set()
    if not held & {"SYSDBA", "ALTER SYSTEM"}:
        raise ora(1031)


def _exec_set(store: CatalogStore, cmd: SetPdbLockdown, con_id: int, actor: User) -> str:
    if con_id == SEED_ID:
        raise ora(65017)
    if store.container_by_id(con_id) is None:
        raise ora(65011, name=str(con_id))
    require_common_alter_system(store, actor, con_id)
    name = cmd.profile
    if name is not None:
        found = store.lockdown_profile(name)
        if found is None and cmd.exact:
            found = store.lockdown_profile(name.upper())
        if found is None:
            raise ora(65208, name=name)
        name = found.name
    with store.transaction():
        store.set_pdb_lockdown(con_id, name)
    return "ALTER SYSTEM"
