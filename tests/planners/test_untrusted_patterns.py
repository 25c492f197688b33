"""Every pattern that reads untrusted text finishes on 1 MB inputs (linear time).

No timed assertion: a generous timeout marker turns a quadratic pattern (hours at 1 MB)
into a failure; bench/pii.py prints the seconds each one takes.
"""

from __future__ import annotations

import pytest
from untrusted_text import INPUTS, PATTERNS

from planners.llm import MAX_REPLY_CHARS

MB = 1 << 20


@pytest.mark.timeout(60)
@pytest.mark.parametrize("make", [INPUTS["letters"], INPUTS["e-mail local part"]],
                         ids=["letters", "e-mail local part"])
def test_personal_data_masking_of_1_mb_without_a_break(make) -> None:  # noqa: ANN001
    PATTERNS["privacy.find_pii"](make(MB))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["think tags", "fences", "open braces", "json keys"])
@pytest.mark.parametrize("size", [MB, MAX_REPLY_CHARS], ids=["1 MB", "at the limit"])
def test_reply_parsing_of_1_mb(name: str, size: int) -> None:
    PATTERNS["llm.parse_json_reply"](INPUTS[name](size))


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_each_pattern_finishes_on_each_1_mb_input(pattern: str) -> None:
    for make in INPUTS.values():
        PATTERNS[pattern](make(MB))
