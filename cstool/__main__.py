"""Allow ``python -m cstool``."""

from cstool.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
