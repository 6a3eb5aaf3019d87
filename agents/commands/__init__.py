"""One module per ``countdown`` subcommand: ``add_arguments(parser)`` and ``run(args) -> int``."""
