"""The gateway as the CLI sees it: one httpx client, and every failure as one clear sentence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"


class GatewayError(Exception):
    """Something the user can act on; printed as one line, never as a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def explain(response: httpx.Response) -> GatewayError:
    try:
        problem = response.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    if response.status_code == 401:
        return GatewayError("The gateway refused the API key: set AFFBILL_API_KEY or pass "
                            "--key with a valid key.", 3)
    if response.status_code == 403:
        return GatewayError(f"Not allowed: {problem.get('detail', 'your key may not do this')}",
                            3)
    text = problem.get("title") or response.reason_phrase
    if errors := problem.get("errors"):
        text += ": " + "; ".join(f"{e.get('field')}: {e.get('reason')}" for e in errors)
    elif detail := problem.get("detail"):
        text += f": {detail}"
    return GatewayError(f"{text} (HTTP {response.status_code})")


class Gateway:
    def __init__(self, url: str, key: str | None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        headers = {"X-API-Key": key} if key else {}
        self.http = httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=60,
                                 transport=transport)

    @contextmanager
    def _calling(self) -> Iterator[None]:
        try:
            yield
        except httpx.ConnectError:
            raise GatewayError(f"Cannot reach the gateway at {self.url}: is it running? "
                               "(set AFFBILL_URL or --url)", 2) from None
        except httpx.TimeoutException:
            raise GatewayError(f"The gateway at {self.url} did not answer in time.", 2) from None
        except httpx.HTTPError as exc:
            raise GatewayError(f"Talking to the gateway at {self.url} failed: {exc}", 2) from None

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        with self._calling():
            response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise explain(response)
        return response.json() if response.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("POST", path, json=body if body is not None else {})

    def download(self, path: str, out: Any) -> int:
        """Stream a document into the open file `out`; returns the bytes written."""
        with self._calling(), self.http.stream("GET", path) as response:
            if response.status_code >= 400:
                response.read()
                raise explain(response)
            written = 0
            for chunk in response.iter_bytes():
                out.write(chunk)
                written += len(chunk)
            return written
