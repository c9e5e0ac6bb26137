"""asynclint: finds, explains and fixes the classic async/await mistakes in Python."""

import os as _os
import sys as _sys


def _leave_out_the_working_directory() -> None:
    """``python -m asynclint`` (and the language server's ``python -m
    asynclint.server.indexing``) puts the working directory first on ``sys.path``: in a project
    with a module named like one of the standard library's (``json.py``, ``difflib.py``), that
    module would be imported in its place, and so run. asynclint never runs the code it
    checks: started that way, unless it is itself in that folder, it takes the folder off."""
    if not _sys.argv or _sys.argv[0] != "-m" or not _sys.path:
        return  # being located by ``-m`` is the only time ``argv[0]`` is "-m"
    try:
        here = _os.path.realpath(_os.getcwd())
    except OSError:
        return
    first = _os.path.realpath(_sys.path[0] or ".")
    home = _os.path.dirname(_os.path.dirname(_os.path.realpath(__file__)))
    if first == here and home != here:
        del _sys.path[0]


_leave_out_the_working_directory()

from importlib.metadata import PackageNotFoundError, version  # noqa: E402

try:
    __version__ = version("asynclint")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
