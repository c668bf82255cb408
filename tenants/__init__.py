"""Tenants: customers owning PDBs, with a service tier, quotas, a lifecycle state and its history.

Each operation is one function of tenants.ops (the admin SQL of tenants.sql calls it, and so will
the REST API); the rows live in the catalog (catalog.store.tenants), the dictionary views
(DBA_TENANTS, CDB_TENANTS, DBA_TENANT_EVENTS, CDB_TENANT_EVENTS, DBA_TENANT_TEMPLATES) in
catalog.dictionary. Who may log in to a tenant's PDBs is tenants.gate.
"""
