"""The ground floor every part stands on: the hub's configuration, the errors a data officer reads, provenance."""
