/**
 * Hono on Node through quiesce's own `serve()` (no `@hono/node-server` needed): the handler's
 * second argument is `{ incoming, outgoing }`, the shape `@hono/node-server` passes, so
 * Hono's `c.env.incoming` and `getConnInfo` from `@hono/node-server/conninfo` work.
 * `streamSSE` ends cleanly at the drain. (For WebSockets use `examples/npm/hono_node.ts`:
 * `@hono/node-ws` needs the `node:http` server itself.)
 *
 *     npm install --prefix examples
 *     node examples/npm/hono_serve.ts
 *
 * Environment: `PORT` (default 8000), `DRAIN_DELAY_MS` (default 0), `TIMEOUT_MS` (default
 * 10000). Routes: `/` answers `ok`; `/conn` the client's address; `/sse` sends `tick N`
 * every 100 ms until the drain; `/healthz` is the readiness route. Exits 143 on SIGTERM.
 *
 * @module
 */
import process from "node:process";
import { getConnInfo } from "@hono/node-server/conninfo";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { main } from "../../src/main.ts";
import { serve } from "../../src/http.ts";

const env = (name: string, fallback: number) =>
  Number(process.env[name] ?? fallback);

const app = new Hono();
app.get("/", (c) => c.text("ok\n"));
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
  serve({
    shutdown,
    fetch: app.fetch,
    hostname: "127.0.0.1",
    port: env("PORT", 8000),
    readiness: "/healthz",
    onListen: ({ port }) =>
      console.log(`listening on http://127.0.0.1:${port}/`),
  });
  const signal = await shutdown.wait();
  console.log(`received ${signal}: draining`);
}, {
  drainDelay: env("DRAIN_DELAY_MS", 0),
  timeout: env("TIMEOUT_MS", 10_000),
});
