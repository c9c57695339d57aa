/**
 * A server that shuts down without a single client noticing, unchanged on Deno and Bun:
 *
 *     deno run -A examples/server.ts
 *     bun examples/server.ts
 *
 * Environment: `PORT` (default 8000), `DRAIN_DELAY_MS` (default 0; set it to your balancer's
 * health-check interval times its fall count), `TIMEOUT_MS` (default 10000).
 * Routes: `/` answers `ok` after 50 ms of async work; `POST /upload` reads the request body
 * and answers 200 with its byte count; `/sse` sends `data: tick N` every 100 ms until the
 * server drains, then `event: shutdown` and a clean end; `/healthz` is the readiness route
 * (503 `starting` until the server listens and calls `ready()`, 200, then 503 `draining`
 * from the first signal on). Exits 143 after a clean SIGTERM drain.
 *
 * @module
 */
import { sleep } from "../mod.ts";
import { main } from "../src/main.ts";
import { serve, sse } from "../src/http.ts";

type Env = (name: string) => string | undefined;
const host = globalThis as {
  Deno?: { env: { get: Env } };
  process?: { env: Record<string, string | undefined> };
};
const env: Env = (name) =>
  host.Deno ? host.Deno.env.get(name) : host.process?.env[name];

function number(name: string, fallback: number): number {
  const text = env(name);
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `${name}: expected a non-negative integer, got ${text}`,
    );
  }
  return value;
}

const port = number("PORT", 8000);
const drainDelay = number("DRAIN_DELAY_MS", 0);
const timeout = number("TIMEOUT_MS", 10_000);

// A plain fetch handler, shaped like Hono's `app.fetch`; `sse` finds the request's scope.
async function handler(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/") {
    await sleep(50);
    return new Response("ok\n");
  }
  if (path === "/upload" && request.method === "POST") {
    let bytes = 0;
    for await (const chunk of request.body ?? []) bytes += chunk.byteLength;
    return new Response(`${bytes}\n`);
  }
  if (path === "/sse") {
    return sse(request, async (send, signal) => {
      for (let n = 1; !signal.aborted; n++) {
        send(`tick ${n}`);
        await sleep(100, { signal }).catch(() => {});
      }
    });
  }
  return new Response("not found\n", { status: 404 });
}

await main(async ({ shutdown, ready }) => {
  serve({
    shutdown,
    fetch: handler,
    port,
    readiness: "/healthz",
    onListen: ({ port }) => {
      ready(); // /healthz answers 200 from now on; READY=1 under systemd
      console.log(`listening on http://localhost:${port}/`);
    },
  });
  const signal = await shutdown.wait();
  console.log(`received ${signal}: draining`);
}, {
  awaitReady: true, // /healthz answers 503 `starting` until ready()
  drainDelay,
  timeout,
  exitCode: (outcome) => {
    console.log(
      `drained (${
        outcome.report?.ok ? "clean" : "not clean"
      }); exit ${outcome.code}`,
    );
    return outcome.code;
  },
});
