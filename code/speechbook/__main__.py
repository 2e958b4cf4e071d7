"""Command line: ``python -m speechbook check FILE...`` says how each file loads, or why it cannot."""

from __future__ import annotations

import argparse
import sys

from speechbook.audio import AudioError, load


def check(paths: list[str]) -> int:
    """Print each file's duration and conversions, or its error; exit status 1 if any file failed."""
    failed = 0
    for path in paths:
        try:
            a = load(path)
        except AudioError as err:
            print(f"error: {err}", file=sys.stderr)
            failed = 1
            continue
        print(f"{path}: {a.duration:.2f} s at {a.sr} Hz ({'; '.join(a.notes) or 'no conversion needed'})")
    return failed


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="speechbook", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="load audio files as the book does").add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    return check(args.files)


if __name__ == "__main__":
    sys.exit(main())
