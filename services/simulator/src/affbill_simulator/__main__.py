"""`affbill-simulator serve [--port 8090] [--seed 42 --advertisers 20 ...]`."""

from __future__ import annotations

import argparse
import datetime as dt

import uvicorn
from pydantic import ValidationError

from affbill_simulator.app import create_app
from affbill_simulator.scale import Scale

PARSERS = {int: int, float: float, dt.date: dt.date.fromisoformat}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="affbill-simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the HasOffers and Everflow APIs")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument("--network-token", default="sim-token", help="HasOffers NetworkToken")
    serve.add_argument("--everflow-key", default="sim-key", help="Everflow X-Eflow-API-Key")
    for name, field in Scale.model_fields.items():  # one option per Scale field
        serve.add_argument(f"--{name.replace('_', '-')}", type=PARSERS.get(field.annotation, str),
                           default=None, help=field.description or f"default: {field.default}")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        scale = Scale(**{name: value for name, value in vars(args).items()
                         if name in Scale.model_fields and value is not None})
    except ValidationError as exc:
        parser.error(str(exc))
    app = create_app(scale, args.network_token, args.everflow_key)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
