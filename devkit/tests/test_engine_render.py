"""Terminal rendering of war-room entries."""

from __future__ import annotations

from devkit.engine import DATASET, RunResult
from devkit.engine.render import render_entry, render_markdown, render_result

MARKDOWN = """### Customer events
|id|name|details|
|---|---|---|
|1|Alice|a\\|b|
|22|Bob|line one<br>line two|
"""


def test_markdown_table_becomes_aligned_text() -> None:
    assert render_markdown(MARKDOWN) == (
        "Customer events\n"
        "---------------\n"
        "id  name   details\n"
        "--  -----  -----------------\n"
        "1   Alice  a|b\n"
        "22  Bob    line one line two"
    )


def test_long_cells_are_clipped_and_bold_is_plain() -> None:
    text = render_markdown("## Title\n**No entries.**\n|k|\n|---|\n|" + "x" * 80 + "|\n", max_cell=10)
    assert text.splitlines() == ["Title", "=====", "No entries.", "k", "----------", "xxxxxxxxx…"]


def test_entries_render_as_the_platform_shows_them() -> None:
    assert (
        render_entry({"Type": 4, "ContentsFormat": "text", "Contents": "Bad credentials"}) == "Error: Bad credentials"
    )
    assert render_entry({"Type": 1, "Contents": "ok", "HumanReadable": None}) == "ok"
    assert render_entry({"Type": 1, "Contents": {"a": 1}}) == '{\n  "a": 1\n}'


def test_a_crashed_run_shows_its_error_logs_and_summary() -> None:
    result = RunResult(
        command="fetch-events",
        args={},
        status="timeout",
        error="Timeout: the command did not finish within 300 seconds and was killed",
        logs=[("info", "fetching")],
        events_sent={DATASET: 4},
        duration=300.01,
    )

    assert render_result(result, show_logs=True).splitlines() == [
        "Error: Timeout: the command did not finish within 300 seconds and was killed",
        "",
        "Logs:",
        "  [info] fetching",
        "",
        f"[fetch-events] timeout in 300.01 s; events sent: {DATASET}=4; last run unchanged",
    ]


def test_a_half_failed_fetch_shows_its_health_error_and_whether_last_run_moved() -> None:
    result = RunResult(
        command="fetch-events",
        args={},
        status="ok",
        events_sent={DATASET: 3},
        duration=1.5,
        module_health=[[{"eventsPulled": 3}, False], ["Audit Users: DocuSign refused access (403).", True]],
        state_saved=True,
        last_run_changed=True,
    )
    assert render_result(result).splitlines()[-1] == (
        f"[fetch-events] ok in 1.50 s; events sent: {DATASET}=3; last run advanced; "
        "health error: Audit Users: DocuSign refused access (403)."
    )
