"""The project index: what each module defines, so rules can see across modules.

For every module of the linted project (and, lazily, for the standard library and installed
packages, read as source, never imported) the index records which functions and methods are
coroutine functions, async generators or plain functions, which classes support the async
protocols, what names a module imports or re-exports, and the types that annotations and
constructor calls give to attributes and module variables.

Summaries come from the standard library's ``ast`` (they only record definitions; source in
newer syntax than the running Python's is read through LibCST first) and are cached on disk by
the hash of the file's content and of the code that makes them.

- ``model``: the facts a summary holds (JSON round-trip), ``Definition`` and ``Instance``;
- ``summarise``: the ``ast`` prepass that makes a module's summary;
- ``downgrade``: newer syntax rewritten, through LibCST, into syntax the running ``ast`` reads;
- ``locate``: a file's project and module name, a module's file on the search path;
- ``cache``: summaries on disk, and the digest that versions them;
- ``query``: ``ProjectIndex`` and its queries (``blocking`` and ``callers`` hold the queries
  only the blocking and caller checks ask; ``tables`` the names the queries know).
"""

from __future__ import annotations

from asynclint.index.cache import (
    COLLIDING,
    StoredModules,
    SummaryCache,
    Trace,
    default_cache_directory,
    summary_version,
)
from asynclint.index.locate import (
    absolute_module,
    environment_paths,
    find_module_file,
    is_project_root,
    module_name,
    project_root,
)
from asynclint.index.model import ClassFact, Definition, FunctionFact, Instance, ModuleFact
from asynclint.index.query import ProjectIndex
from asynclint.index.summarise import summarize
from asynclint.knowledge.kinds import (
    ASYNC_CONTEXT_MANAGER,
    ASYNC_GENERATOR,
    AWAITABLE,
    AWAITABLE_OBJECT,
    CONTEXT_MANAGER,
    COROUTINE,
    PROPERTY,
    SYNC,
    TASK,
    UNKNOWN,
)
from asynclint.knowledge.names import LOOP_NAMES
from asynclint.knowledge.roles import TASK_FACTORIES

__all__ = [
    "ASYNC_CONTEXT_MANAGER",
    "ASYNC_GENERATOR",
    "AWAITABLE",
    "AWAITABLE_OBJECT",
    "COLLIDING",
    "CONTEXT_MANAGER",
    "COROUTINE",
    "LOOP_NAMES",
    "PROPERTY",
    "SYNC",
    "TASK",
    "TASK_FACTORIES",
    "UNKNOWN",
    "ClassFact",
    "Definition",
    "FunctionFact",
    "Instance",
    "ModuleFact",
    "ProjectIndex",
    "StoredModules",
    "SummaryCache",
    "Trace",
    "absolute_module",
    "default_cache_directory",
    "environment_paths",
    "find_module_file",
    "is_project_root",
    "module_name",
    "project_root",
    "summarize",
    "summary_version",
]
