"""`affbill-simulator serve [--port 8090] [scale options]`."""

from __future__ import annotations

import argparse
import datetime as dt

import uvicorn

from affbill_simulator.app import create_app
from affbill_simulator.scale import Scale


def main() -> None:
    parser = argparse.ArgumentParser(prog="affbill-simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the HasOffers and Everflow APIs")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument("--network-token", default="sim-token")
    serve.add_argument("--everflow-key", default="sim-key")
    for name, field in Scale.model_fields.items():
        kind = {int: int, float: float, dt.date: dt.date.fromisoformat}.get(field.annotation, str)
        serve.add_argument(f"--{name.replace('_', '-')}", type=kind, default=None)
    args = parser.parse_args()
    scale = Scale(**{k: v for k, v in vars(args).items() if k in Scale.model_fields and v is not None})
    app = create_app(scale, args.network_token, args.everflow_key)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
