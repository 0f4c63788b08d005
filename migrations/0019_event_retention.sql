-- Why: the event log is pruned (SELLIFY_EVENT_RETENTION_DAYS): an old event is kept while a webhook delivery of it is pending or dead. This partial index answers "does this event still have an open delivery?" without walking every delivery of the tenant; delivered rows, the vast majority, are left out of it.

CREATE INDEX webhook_deliveries_open_event ON webhook_deliveries (tenant_id, event_id) WHERE status <> 'delivered';
