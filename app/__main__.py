"""``retiree-desk``: no subcommand starts the GUI, a subcommand runs headless (cli.py)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from app.cli import build_parser, run

    argv = list(sys.argv[1:] if argv is None else argv)
    code = run(argv)
    if code != -1:
        return code
    args = build_parser().parse_args(argv)
    from app.ui.launch import launch  # Qt is imported only when a window is wanted

    return launch(db=args.db, demo=args.demo)


if __name__ == "__main__":
    sys.exit(main())
