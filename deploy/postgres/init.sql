-- Runs once when the PostgreSQL container starts on an empty data directory.
-- The collectors create their tables, views and function inside this schema on their first start
-- (under an advisory lock, so both may start at once).
CREATE SCHEMA IF NOT EXISTS eye AUTHORIZATION eye;
