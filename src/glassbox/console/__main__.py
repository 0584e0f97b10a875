"""``python -m glassbox.console``: how ``glassbox up`` starts the console."""

from glassbox.console._server import main

raise SystemExit(main())
