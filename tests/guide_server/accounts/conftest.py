"""Every test here that uses the app's database runs on SQLite and on PostgreSQL."""
from tests.support.postgres import both_databases

db_url = both_databases()
