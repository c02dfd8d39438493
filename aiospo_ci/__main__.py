from aiospo_ci.cli import main

raise SystemExit(main())
