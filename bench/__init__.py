"""oroint's benchmarks: run them with `bench/run` (see bench/README.md); they are not tests."""
