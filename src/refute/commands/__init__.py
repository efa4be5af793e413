"""The ``refute`` subcommands, one module each (see :mod:`refute.cli`): parse options, load
the input, run, print, exit code. What they share is :mod:`refute.commands.common`."""
