"""``python -m cnnspec.backends``: write the built-in backends table into docs/adapters.md."""

from cnnspec.backends import write_table

print(f"wrote the built-in backends table to {write_table()}")
