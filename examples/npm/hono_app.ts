/**
 * Hono on Deno and Bun through quiesce's `serve()`: the handler's second argument is the
 * runtime's own (Deno's `ServeHandlerInfo`, Bun's `Server`), so Hono's `getConnInfo` and
 * `upgradeWebSocket` from `hono/deno` or `hono/bun` work unchanged; `requestScope(c.req.raw)`
 * gives quiesce's request scope; `streamSSE` ends cleanly at the drain with nothing wired.
 *
 *     npm install --prefix examples
 *     deno run -A examples/npm/hono_app.ts
 *     bun examples/npm/hono_app.ts
 *
 * Environment: `PORT` (default 8000), `DRAIN_DELAY_MS` (default 0), `TIMEOUT_MS` (default
 * 10000). Routes: `/conn` the client's address as Hono and as the scope see it; `/ws`
 * echoes; `/sse` sends `tick N` every 100 ms until the drain; `/healthz` is the readiness
 * route. Exits 143 on SIGTERM, 130 on SIGINT.
 *
 * @module
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { main } from "../../src/main.ts";
import { requestScope, serve } from "../../src/http.ts";

// Hono's runtime helpers live in one adapter per runtime.
const onBun = "Bun" in globalThis;
const { getConnInfo, upgradeWebSocket, websocket } = onBun
  ? await import("hono/bun")
  : { ...await import("hono/deno"), websocket: undefined };
const env = (name: string, fallback: number) =>
  Number(
    (globalThis as { process?: { env: Record<string, string> } }).process?.env[
      name
    ] ?? fallback,
  );

const app = new Hono();
app.get("/conn", (c) => {
  const { remote } = getConnInfo(c);
  const scope = requestScope(c.req.raw);
  return c.text(
    `hono ${remote.address}:${remote.port}, scope ${scope.remoteAddr?.hostname}:${scope.remoteAddr?.port}\n`,
  );
});
app.get(
  "/ws",
  upgradeWebSocket(() => ({
    onMessage: (event, ws) => ws.send(`echo ${event.data}`),
  })),
);
app.get("/sse", (c) =>
  streamSSE(c, async (stream) => {
    for (let n = 1; !stream.aborted; n++) {
      await stream.writeSSE({ data: `tick ${n}` });
      await stream.sleep(100);
    }
  }));

await main(async ({ shutdown }) => {
  serve({
    shutdown,
    fetch: app.fetch,
    hostname: "127.0.0.1",
    port: env("PORT", 8000),
    readiness: "/healthz",
    websocket, // Bun: serve() hands Hono's sockets to it and closes them with 1001
    onListen: ({ port }) =>
      console.log(`listening on http://127.0.0.1:${port}/`),
  });
  console.log(`received ${await shutdown.wait()}: draining`);
}, {
  drainDelay: env("DRAIN_DELAY_MS", 0),
  timeout: env("TIMEOUT_MS", 10_000),
});
