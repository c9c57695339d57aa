/**
 * Hono on Node through quiesce's own `serve()` (no `@hono/node-server` server): the
 * handler's second argument is `{ incoming, outgoing }`, the shape `@hono/node-server`
 * passes, so Hono's `c.env.incoming` and `getConnInfo` from `@hono/node-server/conninfo`
 * work; `@hono/node-ws`'s `upgradeWebSocket` works once `injectWebSocket` has the server
 * (`server.nodeServer`); `streamSSE` ends cleanly at the drain.
 *
 *     npm install --prefix examples
 *     node examples/npm/hono_serve.ts
 *
 * Environment: `PORT` (default 8000), `DRAIN_DELAY_MS` (default 0), `TIMEOUT_MS` (default
 * 10000). Routes: `/` answers `ok`; `/conn` the client's address; `/ws` echoes; `/sse` sends `tick N`
 * every 100 ms until the drain; `/healthz` is the readiness route. Exits 143 on SIGTERM.
 *
 * @module
 */
import type { Server } from "node:http";
import process from "node:process";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createNodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { main } from "../../src/main.ts";
import { serve } from "../../src/http.ts";

const env = (name: string, fallback: number) =>
  Number(process.env[name] ?? fallback);

const app = new Hono();
const { injectWebSocket, upgradeWebSocket, wss } = createNodeWebSocket({ app });
app.get("/", (c) => c.text("ok\n"));
app.get(
  "/ws",
  upgradeWebSocket(() => ({
    onMessage: (event, ws) => ws.send(`echo ${event.data}`),
    onClose: (event) => console.log(`ws: closed ${event.code}`),
  })),
);
app.get("/conn", (c) => {
  const { remote } = getConnInfo(c);
  return c.text(`${remote.address}:${remote.port}\n`);
});
app.get("/sse", (c) =>
  streamSSE(c, async (stream) => {
    for (let n = 1; !stream.aborted; n++) {
      await stream.writeSSE({ data: `tick ${n}` });
      await stream.sleep(100);
    }
  }));

await main(async ({ shutdown }) => {
  const server = serve({
    shutdown,
    fetch: app.fetch,
    hostname: "127.0.0.1",
    port: env("PORT", 8000),
    readiness: "/healthz",
    onListen: ({ port }) =>
      console.log(`listening on http://127.0.0.1:${port}/`),
  });
  injectWebSocket(server.nodeServer as Server);
  // The `ws` package's sockets are not quiesce's: close them when the drain begins.
  shutdown.token.onCancel(() => {
    for (const ws of wss.clients) ws.close(1001, "server shutting down");
  });
  const signal = await shutdown.wait();
  console.log(`received ${signal}: draining`);
}, {
  drainDelay: env("DRAIN_DELAY_MS", 0),
  timeout: env("TIMEOUT_MS", 10_000),
});
