"""AL002 unused-noqa: a ``# noqa: ALnnn`` that silences nothing."""

from __future__ import annotations

from textwrap import dedent

from asynclint.diagnostics import Applicability
from asynclint.rule import Example, Rule


class UnusedNoqa(Rule):
    """
    ## What it does
    Finds the codes of a `# noqa: ALnnn` comment that silence nothing on their line: the rule
    ran on the file and found nothing there (the mistake was fixed, or the line moved), or the
    code is not one of asynclint's rules at all (`AL299`). A `# noqa: AL401` on a `def` line,
    which covers the whole function, counts as used when it silences a finding anywhere in it;
    a code of a file-level `# asynclint: noqa: AL201` (or `# flake8: noqa: AL201`) when it
    silences a finding anywhere in the file.

    Only asynclint's own codes are judged, and only those of rules that ran on the file: a
    code of a rule that is not selected (or not selected for this file) may well silence
    something when it is, so it is left alone. A bare `# noqa` and the codes of other tools
    (`E501`, flake8-async's `ASYNC251`) are never reported. The findings the test profile holds
    back in test code count as silenced, so their comments are used.

    This rule is off by default and not part of the five families: select it by its code or
    name (`--extend-select AL002`, `extend-select = ["unused-noqa"]`).

    ## Why is this bad?
    A suppression that silences nothing hides the next real mistake written on that line, and
    tells readers the line is special when it no longer is.

    ## Example
    ```python
    import asyncio


    async def main():
        await asyncio.sleep(1)  # noqa: AL201
    ```

    ## Use instead
    ```python
    import asyncio


    async def main():
        await asyncio.sleep(1)
    ```

    ## Fix safety
    The fix is safe: it removes the unused codes from the comment, or the whole `# noqa` when
    none is left (other text of the comment is kept). A `# noqa` on a line of its own, which
    silences nothing anywhere, is reported without a fix. A file-level directive loses its
    unused codes, and its whole line when none of its codes is used.
    """

    code = "AL002"
    name = "unused-noqa"
    summary = "A `# noqa` code silences nothing on its line"
    fix_applicability = Applicability.SAFE
    default_enabled = False

    invalid = (
        Example(
            dedent("""\
                import asyncio


                async def main():
                    await asyncio.sleep(1)  # noqa: AL299, E501  # error: AL002
                    await asyncio.sleep(2)  # keep  # noqa: AL299  # error: AL002
            """),
            fixed=dedent("""\
                import asyncio


                async def main():
                    await asyncio.sleep(1)  # noqa: E501
                    await asyncio.sleep(2)  # keep
            """),
        ),
    )
    valid = (
        dedent("""\
            import time


            async def main():
                time.sleep(1)  # noqa
                time.sleep(2)  # noqa: E501, ASYNC251
        """),
    )
