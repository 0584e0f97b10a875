"""The simulator's ASGI application: provider routes plus the admin endpoints."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from glassbox.simulator import _anthropic, _openai, _responses
from glassbox.simulator._engine import Engine
from glassbox.simulator._faults import Faults, FaultsError

__all__ = ["create_app"]

Handler = Callable[[Engine, Request], Awaitable[Response]]


def create_app(engine: Engine) -> Starlette:
    """The ASGI app serving ``engine``.

    Routes:
        ``POST /v1/chat/completions``, ``POST /v1/responses``, ``POST /v1/embeddings``
        (OpenAI); ``POST /v1/messages`` (Anthropic); ``GET /healthz``;
        ``GET /admin/faults`` (current faults), ``PUT /admin/faults`` (replace),
        ``PATCH /admin/faults`` (update the given fields), ``DELETE /admin/faults``
        (clear); ``GET /admin/stats`` (request counters).
    """

    def bind(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await handler(engine, request)

        return endpoint

    async def get_faults(request: Request) -> Response:
        return JSONResponse(engine.faults.to_json())

    async def set_faults(request: Request) -> Response:
        try:
            data = json.loads(await request.body() or b"{}")
            base = engine.faults if request.method == "PATCH" else None
            engine.faults = Faults.from_json(data, base=base)
        except (ValueError, TypeError) as exc:  # FaultsError and JSON errors
            message = str(exc) if isinstance(exc, FaultsError) else f"invalid JSON: {exc}"
            return JSONResponse({"error": message}, status_code=400)
        return JSONResponse(engine.faults.to_json())

    async def clear_faults(request: Request) -> Response:
        engine.faults = Faults()
        return JSONResponse(engine.faults.to_json())

    async def stats(request: Request) -> Response:
        return JSONResponse(engine.stats())

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "seed": engine.seed, "time_scale": engine.time_scale})

    routes = [
        Route("/v1/chat/completions", bind(_openai.chat_completions), methods=["POST"]),
        Route("/v1/responses", bind(_responses.responses), methods=["POST"]),
        Route("/v1/embeddings", bind(_openai.embeddings), methods=["POST"]),
        Route("/v1/messages", bind(_anthropic.messages), methods=["POST"]),
        Route("/admin/faults", get_faults, methods=["GET"]),
        Route("/admin/faults", set_faults, methods=["PUT", "PATCH"]),
        Route("/admin/faults", clear_faults, methods=["DELETE"]),
        Route("/admin/stats", stats, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    return Starlette(routes=routes)
