"""``python -m bootspec``: the command line, as the ``bootspec`` script runs it."""

from bootspec.cli import main

if __name__ == "__main__":
    main()
