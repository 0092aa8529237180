"""`python -m app …`: the headless commands of Doorstep."""

from app.cli import main

raise SystemExit(main())
