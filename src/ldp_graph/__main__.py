"""`python -m ldp_graph` runs the command line, as the `ldp-graph` script does."""

from ldp_graph.cli import main

raise SystemExit(main())
