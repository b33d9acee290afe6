"""HTTP routes, one module per resource; each route only parses, calls store/jobs/analysis and shapes."""
