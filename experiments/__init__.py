"""Everything headless: the CLI, scenario files, runs, experiments, analyses, benchmarks."""
