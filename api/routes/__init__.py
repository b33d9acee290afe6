"""HTTP routes, one module per resource; each route only parses, calls crud/jobs/analysis and shapes."""
