"""``python -m cnnspec.findings``: write the findings table into docs/findings.md."""

from cnnspec.findings import write_table

print(f"wrote the findings table to {write_table()}")
