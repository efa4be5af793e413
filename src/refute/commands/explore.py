"""``refute explore SPEC``: walk a spec's state space by hand in a browser (loopback only)."""

from __future__ import annotations

import click

from refute.commands.common import reports_errors, source_of, spec_options
from refute.errors import UsageError
from refute.report.explore import LOOPBACK, serve


@click.command()
@spec_options()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="The port on 127.0.0.1 (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@reports_errors
def explore(spec: str, params: tuple[str, ...], config: str | None, allow_read: tuple[str, ...],
            port: int, open_browser: bool) -> int:
    """Walk the state space of SPEC by hand in a browser: pick the next action, go back,
    see the state and which invariants hold, share a link to the path.

    The server listens on 127.0.0.1 only. Stop it with Ctrl-C.
    """
    model = source_of(spec, params, config, allow_read).load()
    model.init_states()  # report a broken init now, not in the browser
    try:
        server = serve(model, port)
    except OSError as error:
        raise UsageError(f"cannot listen on {LOOPBACK}:{port}: {error.strerror}",
                         hint="choose another --port, or --port 0 for any free one") from None
    url = f"http://{LOOPBACK}:{server.server_address[1]}/#0"
    click.echo(f"exploring {model.name} at {url} (Ctrl-C to stop)", color=False)
    if open_browser:
        import webbrowser
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
