"""The rules, one module per documented mistake. ``ALL_RULES`` is ordered by code."""

from __future__ import annotations

from asynclint.rule import Rule
from asynclint.rules.blocking_calls import (
    BlockingConsoleCall,
    BlockingDatabaseCall,
    BlockingFileCall,
    BlockingNetworkCall,
    BlockingProcessCall,
    BlockingThreadSyncCall,
)
from asynclint.rules.blocking_sleep import BlockingSleep
from asynclint.rules.bridging import (
    AwaitNotAwaitable,
    GetEventLoopInCoroutine,
    NestedEventLoop,
    ThreadsafeResultDeadlock,
)
from asynclint.rules.callables import CallableMismatch
from asynclint.rules.cancellation import SwallowedCancellation
from asynclint.rules.loops import AwaitInLoop
from asynclint.rules.missing_await import (
    CoroutineUsedAsValue,
    UnawaitedCoroutine,
    UnusedCoroutine,
)
from asynclint.rules.protocols import SyncAsyncProtocolMismatch
from asynclint.rules.sequential import SequentialAwaits
from asynclint.rules.tasks import DroppedTask, UnusedTask
from asynclint.rules.unused_noqa import UnusedNoqa

ALL_RULES: tuple[type[Rule], ...] = tuple(
    sorted(
        [
            AwaitInLoop,
            AwaitNotAwaitable,
            GetEventLoopInCoroutine,
            NestedEventLoop,
            ThreadsafeResultDeadlock,
            BlockingSleep,
            BlockingConsoleCall,
            BlockingDatabaseCall,
            BlockingFileCall,
            BlockingNetworkCall,
            BlockingProcessCall,
            BlockingThreadSyncCall,
            CallableMismatch,
            CoroutineUsedAsValue,
            DroppedTask,
            SequentialAwaits,
            UnawaitedCoroutine,
            UnusedCoroutine,
            UnusedTask,
            UnusedNoqa,
            SwallowedCancellation,
            SyncAsyncProtocolMismatch,
        ],
        key=lambda rule: rule.code,
    )
)
RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
