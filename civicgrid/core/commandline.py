"""Arguments several management commands share, checked where argparse checks them: a wrong
value is the command's usage message, not a traceback or a silent default."""

import argparse

from django.conf import settings


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seconds cannot be negative: {value}")
    return value


def add_every(parser, help_text: str) -> None:
    """`--every SECONDS`: repeat the command this often; 0 (the default) runs it once."""
    parser.add_argument("--every", type=_seconds, default=0, metavar="SECONDS", help=help_text)


def add_database(parser) -> None:
    """`--database ALIAS`, one of settings.DATABASES."""
    parser.add_argument("--database", default="default", choices=tuple(settings.DATABASES))
