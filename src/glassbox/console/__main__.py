"""``python -m glassbox.console``: how ``glassbox up`` starts the console."""

from glassbox.console._server import main

if __name__ == "__main__":
    raise SystemExit(main())
