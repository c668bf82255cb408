"""The HTTP management API (issue 17): REST and GraphQL over the same operations the admin SQL
calls (tenants.ops, tenants.pdbs, tenants.backups, catalog.commands), served by uvicorn inside the
server's own event loop (api.listener)."""
