"""Reports of a plan: CSV tables (:mod:`.tables`), summary.md (:mod:`.summary`), charts (:mod:`.charts`),
the atomic output folder (:mod:`.output`) and the command line's printed tables (:mod:`.console`)."""
