-- Runs once, when the compose Postgres volume is created: the schema registry keeps its
-- schemas in a database of its own, so their ids survive a restart of the registry.
CREATE DATABASE registry;
