/**
 * Hono on Node through its own server (`@hono/node-server`) and WebSocket helper
 * (`@hono/node-ws`), under `main()`: the requests go through a `GracefulHttp`, and the
 * `node:http` server is attached with `nodeListener()`. Hono's helpers work unchanged:
 * `getConnInfo` (the client's address), `upgradeWebSocket`, `streamSSE`.
 *
 *     npm install --prefix examples
 *     node examples/npm/hono_node.ts
 *
 * Environment: `PORT` (default 8000), `DRAIN_DELAY_MS` (default 0), `TIMEOUT_MS` (default
 * 10000). Routes: `/` answers `ok`; `/conn` the client's address; `/ws` echoes messages;
 * `/sse` sends `tick N` every 100 ms until the drain; `/healthz` is the readiness route.
 * Exits 143 after a clean SIGTERM drain (130 for SIGINT).
 *
 * @module
 */
import process from "node:process";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createNodeWebSocket } from "@hono/node-ws";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { main } from "../../src/main.ts";
import { GracefulHttp, nodeListener } from "../../src/http.ts";

const env = (name: string, fallback: number) =>
  Number(process.env[name] ?? fallback);
const port = env("PORT", 8000);

const app = new Hono();
const { injectWebSocket, upgradeWebSocket, wss } = createNodeWebSocket({ app });
app.get("/", (c) => c.text("ok\n"));
app.get("/conn", (c) => {
  const { remote } = getConnInfo(c);
  return c.text(`${remote.address}:${remote.port}\n`);
});
app.get(
  "/ws",
  upgradeWebSocket(() => ({
    onMessage: (event, ws) => ws.send(`echo ${event.data}`),
    onClose: (event) => console.log(`ws: closed ${event.code}`),
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
  const http = new GracefulHttp(shutdown, app.fetch, { readiness: "/healthz" });
  const server = serve(
    { fetch: http.fetch, port, hostname: "127.0.0.1" },
    (info) => console.log(`listening on http://127.0.0.1:${info.port}/`),
  );
  injectWebSocket(server);
  http.attach(nodeListener(server));
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
