"""Arguments several management commands share, checked where argparse checks them: a wrong
value is the command's usage message, not a traceback or a silent default."""

import argparse

from django.conf import settings


def _whole(text: str, least: int, unit: str = "") -> int:
    try:
        value = int(text)
    except ValueError:
        of = f" of {unit}" if unit else ""
        raise argparse.ArgumentTypeError(f"not a whole number{of}: {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(
            f"{unit or 'the number'} cannot be negative: {value}"
            if least == 0
            else f"must be at least {least}: {value}"
        )
    return value


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1 (a count of streets, communities …)."""
    return _whole(text, 1)


def non_negative(text: str) -> int:
    """An argparse type: a whole number of at least 0 (0 meaning none)."""
    return _whole(text, 0)


def _seconds(text: str) -> int:
    return _whole(text, 0, "seconds")


def add_every(parser, help_text: str) -> None:
    """`--every SECONDS`: repeat the command this often; 0 (the default) runs it once."""
    parser.add_argument("--every", type=_seconds, default=0, metavar="SECONDS", help=help_text)


def add_database(parser) -> None:
    """`--database ALIAS`, one of settings.DATABASES."""
    parser.add_argument("--database", default="default", choices=tuple(settings.DATABASES))
