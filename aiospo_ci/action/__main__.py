from aiospo_ci.action.main import main

raise SystemExit(main())
