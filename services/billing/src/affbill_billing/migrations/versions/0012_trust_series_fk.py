"""A profile's number series must exist: a foreign key from billing_profiles.number_series.

Before the key, profiles naming a series that does not exist are moved to 'default' (the
series every profile starts with): no document was ever numbered from a missing series —
numbering failed on it — so nothing numbered changes. 'default' is created if it was removed.

Revision ID: billing_0012_trust
Revises: billing_0012_poison
"""

from alembic import op

revision = "billing_0012_trust"
down_revision = "billing_0012_poison"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("insert into number_series (series, prefix) values ('default', 'INV-{yyyy}-') "
               "on conflict (series) do nothing")
    op.execute("update billing_profiles p set number_series = 'default' where not exists "
               "(select 1 from number_series s where s.series = p.number_series)")
    op.create_foreign_key("billing_profiles_number_series", "billing_profiles", "number_series",
                          ["number_series"], ["series"], onupdate="CASCADE")


def downgrade() -> None:
    op.drop_constraint("billing_profiles_number_series", "billing_profiles", type_="foreignkey")
