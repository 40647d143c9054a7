"""`python -m blueprint` is the `blueprint` console script."""

from blueprint.cli import main

raise SystemExit(main())
