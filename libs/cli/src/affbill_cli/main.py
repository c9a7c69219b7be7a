"""Entry point of the `affbill` command (filled in by the CLI work of issue 7)."""

import typer

app = typer.Typer(help="affbill: invoicing for affiliate networks, through the gateway.")


@app.callback()
def main() -> None:
    """affbill command line."""
