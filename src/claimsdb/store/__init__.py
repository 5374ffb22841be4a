"""Where articles are kept: the schema, engines and connections, migrations, backup,
copying, and the files the database owns.

The store knows tables and transactions but not the questions users ask: those are
``claimsdb.query``, which builds on it.
"""
