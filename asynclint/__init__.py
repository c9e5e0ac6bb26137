"""asynclint: finds, explains and fixes the classic async/await mistakes in Python."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("asynclint")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
