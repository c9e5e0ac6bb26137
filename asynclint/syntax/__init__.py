"""Plain functions over LibCST trees, and the scopes the engine keeps while it walks one.

Nothing here knows what a name means to asyncio or to the project: that is ``knowledge`` and
``facts``. This layer only knows the shape of the language.
"""
