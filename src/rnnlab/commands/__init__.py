"""One module per ``rnnlab`` subcommand (discovered by `rnnlab.cli`)."""
