"""The side-by-side harness behind bench/compare/run (issue 7)."""
