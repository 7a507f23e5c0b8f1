"""好差评 follow-up and figures: rating channel/hall/department, 差评 cases, encrypted contacts,
per-hall deadlines, monthly rating counts, usage counts; the `manager` role needs no schema
change (roles are checked by the application)

Revision ID: 0007_rating_followup
Revises: 0006_user_scope
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_rating_followup"
down_revision = "0006_user_scope"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("ratings") as b:
        b.add_column(sa.Column("hall", sa.String(100), nullable=False, server_default=""))
        b.add_column(sa.Column("department", sa.String(200), nullable=False, server_default=""))
        b.add_column(sa.Column("queue", sa.String(4), nullable=True))
        b.add_column(sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_ratings_created", "ratings", ["created"])
    # the phone page was the only channel before: "web" is now "phone"
    op.execute("UPDATE ratings SET channel = 'phone' WHERE channel = 'web'")
    op.create_table(
        "rating_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rating_id", sa.Integer, sa.ForeignKey("ratings.id"), nullable=False),
        sa.Column("hall", sa.String(100), nullable=False, server_default=""),
        sa.Column("guide_code", sa.String(40), nullable=False, server_default=""),
        sa.Column("department", sa.String(200), nullable=False, server_default=""),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("named", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("verify_due", sa.Date, nullable=False),
        sa.Column("rectify_due", sa.Date, nullable=True),
        sa.Column("callback_due", sa.Date, nullable=True),
        sa.Column("rectified_at", TS, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("rectification", sa.Text, nullable=False, server_default=""),
        sa.Column("appeal_from", sa.String(16), nullable=True),
        sa.Column("appeal_by", sa.String(40), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("rating_id", name="uq_rating_cases_rating"),
    )
    op.create_index("ix_rating_cases_state", "rating_cases", ["state", "hall"])
    # the open cases (closed_at NULL) with their due dates: the overdue ones without reading the table
    op.create_index("ix_rating_cases_open", "rating_cases",
                    ["closed_at", "state", "verify_due", "rectify_due", "callback_due", "named", "hall"])
    op.create_table(
        "rating_contacts",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("rating_cases.id"), primary_key=True),
        sa.Column("masked", sa.String(20), nullable=False),
        sa.Column("sealed", sa.Text, nullable=False),
        sa.Column("created", TS, nullable=False),
    )
    op.create_table(
        "case_settings",
        sa.Column("hall", sa.String(100), primary_key=True),
        sa.Column("verify_days", sa.SmallInteger, nullable=False),
        sa.Column("rectify_days", sa.SmallInteger, nullable=False),
        sa.Column("callback_days", sa.SmallInteger, nullable=False),
        sa.Column("updated_by", sa.String(40), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "rating_rollup",
        sa.Column("dim", sa.String(10), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("hall", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        *(sa.Column(c, sa.Integer, nullable=False, server_default="0")
          for c in ("total", "satisfied", "bad", "l1", "l2", "l3", "l4", "l5")),
        sqlite_with_rowid=False,  # stored in key order: a month range is one contiguous read
    )
    op.create_table(
        "usage_counts",
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("hall", sa.String(100), primary_key=True),
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("src", sa.String(32), primary_key=True),
        sa.Column("hour", sa.SmallInteger, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False, server_default="0"),
        sqlite_with_rowid=False,
    )
    # existing ratings counted into the rollup (their month in Beijing time), one dimension at a time
    dialect = op.get_bind().dialect.name
    month = ("strftime('%Y-%m', datetime(created, '+8 hours'))" if dialect == "sqlite"
             else "to_char(created AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')")
    levels = ", ".join(f"sum(CASE WHEN level = {lv} THEN 1 ELSE 0 END)" for lv in range(1, 6))
    for dim, col in (("guide", "guide_code"), ("department", "department"), ("channel", "channel")):
        op.execute(f"INSERT INTO rating_rollup (dim, month, hall, key, total, satisfied, bad, l1, l2, l3, l4, l5) "
                   f"SELECT '{dim}', {month}, hall, {col}, count(*), sum(CASE WHEN level >= 3 THEN 1 ELSE 0 END), "
                   f"sum(CASE WHEN level <= 2 THEN 1 ELSE 0 END), {levels} FROM ratings "
                   f"WHERE revoked = {'0' if dialect == 'sqlite' else 'false'} GROUP BY 2, 3, 4")


def downgrade() -> None:
    op.drop_table("usage_counts")
    op.drop_table("rating_rollup")
    op.drop_table("case_settings")
    op.drop_table("rating_contacts")
    op.drop_index("ix_rating_cases_open", "rating_cases")
    op.drop_index("ix_rating_cases_state", "rating_cases")
    op.drop_table("rating_cases")
    op.execute("UPDATE ratings SET channel = 'web' WHERE channel = 'phone'")
    op.drop_index("ix_ratings_created", "ratings")
    with op.batch_alter_table("ratings") as b:
        b.drop_column("revoked")
        b.drop_column("queue")
        b.drop_column("department")
        b.drop_column("hall")
