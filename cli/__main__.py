"""`python -m cli …` is `govinspect …`."""

from cli.main import main

main()
