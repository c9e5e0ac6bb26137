"""Who calls a function: questions answered from the project index's record of calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.facts import fact

if TYPE_CHECKING:
    from asynclint.engine import Context


@fact("only-called-from-coroutines", uses_index=True)
def ONLY_CALLED_FROM_COROUTINES(context: Context, function: cst.FunctionDef) -> bool:
    """Whether the project index says that only coroutines call the module-level function
    ``function`` of this module (so a loop is running whenever it runs)."""
    if context.index is None or context.module_info is None:
        return False
    qualified = f"{context.module_info[0]}.{function.name.value}"
    return context.index.only_called_from_coroutines(qualified)
