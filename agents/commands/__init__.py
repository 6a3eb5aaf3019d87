"""One module per ``countdown`` subcommand: ``add_arguments(parser)`` and ``run(args) -> int``;
:mod:`agents.commands.options` makes flags from dataclass fields for them."""
