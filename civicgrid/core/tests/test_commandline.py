"""The shared command arguments refuse a wrong value with the usage message, before any work."""

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize(
    "command", ["run_periodic", "deliver_outbox", "scan_case_deadlines", "firesafety_overdue"]
)
@pytest.mark.parametrize(
    ("value", "message"),
    [("-5", "seconds cannot be negative"), ("soon", "not a whole number of seconds")],
)
def test_every_takes_whole_seconds_only(command, value, message):
    with pytest.raises(CommandError, match=message):
        call_command(command, "--every", value)


@pytest.mark.parametrize("command", ["rebuild_dashboard_rollups", "rebuild_first_reports"])
def test_database_is_one_of_the_configured_aliases(command):
    with pytest.raises(CommandError, match="invalid choice: 'nope'"):
        call_command(command, "--database", "nope")
