"""`python -m benchmarks.fidelity`: see benchmarks/fidelity/runner.py."""

from benchmarks.fidelity.runner import main

main()
