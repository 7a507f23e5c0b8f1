"""Every test here runs on SQLite and on PostgreSQL."""
from tests.support.postgres import both_databases

db_url = both_databases()
