"""Plans: the data (:mod:`.model`), their KPIs (:mod:`.kpis`), checks (:mod:`.verify`), the result of a
solve with its baseline plans (:mod:`.result`) and the analysis the CLI, reports and API share (:mod:`.analysis`)."""
