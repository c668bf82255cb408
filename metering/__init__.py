"""Metering, billing and SLA monitoring (issue 16), and the Prometheus metrics: in the proxy, over
what the engines count on the statement path (governance.meter, governance.governor). One function
per operation in metering.ops (the SQL in metering.sql and the REST API call the same)."""
