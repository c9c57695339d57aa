/**
 * An Express app on Node under `main()`: `attachNodeServer()` puts the server Express
 * listens with behind a `GracefulHttp`, so the readiness route, `Connection: close` while
 * draining, request tracking (a straggler is named like `GET /slow`) and the listener's
 * stop work without changing a route. The same call fits Koa (`createServer(app.callback())`)
 * and Fastify (`fastify.server`).
 *
 *     npm install --prefix examples
 *     node examples/npm/express_server.ts
 *
 * Environment: `PORT` (default 8000), `DRAIN_DELAY_MS` (default 0), `TIMEOUT_MS` (default
 * 10000). Routes: `/` answers `ok`; `/slow?ms=N` answers after N ms; `/fail` throws (500); `/healthz` is the
 * readiness route (503 from the first signal on). Exits 143 after a clean SIGTERM drain.
 *
 * @module
 */
import process from "node:process";
import express from "express";
import { main } from "../../src/main.ts";
import { attachNodeServer } from "../../src/http.ts";

const env = (name: string, fallback: number) =>
  Number(process.env[name] ?? fallback);

const app = express();
app.get("/", (_req, res) => {
  res.send("ok\n");
});
app.get("/fail", () => {
  throw new Error("the database is gone"); // Express answers 500
});
app.get("/slow", (req, res) => {
  const ms = Number(req.query.ms ?? 1000);
  console.log(`slow: ${ms} ms`);
  setTimeout(() => res.send(`slept ${ms} ms\n`), ms);
});

await main(async ({ shutdown }) => {
  const server = app.listen(env("PORT", 8000), "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    console.log(`listening on http://127.0.0.1:${port}/`);
  });
  const http = attachNodeServer(shutdown, server, { readiness: "/healthz" });
  const signal = await shutdown.wait();
  console.log(
    `received ${signal}: ${http.inFlight().map((r) => r.name).join(", ")}`,
  );
}, {
  drainDelay: env("DRAIN_DELAY_MS", 0),
  timeout: env("TIMEOUT_MS", 10_000),
});
