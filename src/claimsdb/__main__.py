"""``python -m claimsdb``: the command line, as the ``claimsdb`` script runs it."""

from claimsdb.cli import main

if __name__ == "__main__":
    main(prog_name="claimsdb")
