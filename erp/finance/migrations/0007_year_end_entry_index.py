"""The closing and opening entries of each period, indexed: reports that leave year-end
postings out find them here and exclude their lines by id, instead of joining every line of
a period with its entry (see ``erp.finance.selectors._of_kinds``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("finance", "0006_receivables_payables")]

    operations = [
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(
                condition=models.Q(("kind__in", ["closing", "opening"])),
                fields=["period"],
                name="finance_entry_year_end_idx",
            ),
        ),
    ]
