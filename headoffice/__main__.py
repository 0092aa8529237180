from headoffice.cli import main

raise SystemExit(main())
