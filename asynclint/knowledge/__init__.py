"""What names mean, as data: the library tables, the asyncio/trio/anyio roles, and every
heuristic that reads meaning into a name.

A new library name is one line here (or in ``asynclint/data/*.toml``); a new heuristic is one
predicate with a one-line reason. Nothing in this package walks a tree or reads the project.
"""
