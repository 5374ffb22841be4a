"""Article files: reading, validating and writing them, with no database.

Everything here is pure: it turns bytes into checked ``ArticleSpec``s (and back) and
never imports SQLAlchemy or Alembic, so a drafter or a validator can use it without
a store. ``lint-imports`` holds it to that.
"""
