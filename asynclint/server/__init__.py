"""``asynclint server``: the findings in the editor, through the Language Server Protocol.

The server speaks LSP on standard input and output (``pygls``, installed with the ``server``
extra). It lints a file as soon as the editor opens it, again as the text changes (after a
pause in typing) and when it is saved; it builds the project index in the background, and
re-lints the open files once it is there, so findings that depend on other modules appear too.
Quick fixes are the verified fixes of ``--fix``; hover shows a finding's rule page.

- ``linting``: settings, and the linting, fixing and ``# noqa`` edits of a document's text;
- ``indexing``: the project index of a document's project, made in the background (and the
  process that fills the cache for it first, ``python -m asynclint.server.indexing``);
- ``protocol``: the language server itself (the only module that needs ``pygls``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

INSTALL_HINT = (
    "from a checkout of asynclint, pip install '.[server]' "
    "(from elsewhere: pip install 'asynclint[server] @ file:///path/to/asynclint')"
)


def main(args: Sequence[str]) -> int:
    """``asynclint server [--stdio]``: serve one editor on standard input and output; the exit
    status."""
    unknown = [arg for arg in args if arg != "--stdio"]
    if unknown:
        if unknown[0] in ("-h", "--help"):
            print(
                "Usage: asynclint server [--stdio]\n\n"
                "  Start the language server on standard input and output (for editors).",
                file=sys.stderr,
            )
            return 0
        print(f"asynclint server: unknown argument {unknown[0]!r}", file=sys.stderr)
        return 2
    try:
        from asynclint.server.protocol import serve
    except ImportError as error:
        if error.name and error.name.split(".")[0] in ("pygls", "lsprotocol", "cattrs"):
            print(
                f"asynclint server needs the `server` extra ({error.name} is not installed): "
                f"{INSTALL_HINT}",
                file=sys.stderr,
            )
            return 2
        raise
    return serve()
