"""The pack's XSIAM dashboards and report, offline: structure checks, each widget's query evaluated on a
dataset (:mod:`devkit.xql`), and screenshot-like pictures of the results.

    boards = load_boards(Path("Packs/Docusign"))                # content.py: dashboards, then reports
    results = evaluate_board(boards[0], events, rules)          # evaluate.py: rows, warnings, view problems
    write_image(boards[0], results)                              # render.py: <file>_image.png
    python -m devkit dashboards check | render                   # cli.py, on a day of emulator data
"""

from .content import Board, Widget, load_board, load_boards, structure_problems, view_options
from .evaluate import WidgetResult, column_problems, evaluate_board, summary_line

__all__ = [
    "Board",
    "Widget",
    "WidgetResult",
    "column_problems",
    "evaluate_board",
    "load_board",
    "load_boards",
    "structure_problems",
    "summary_line",
    "view_options",
]
