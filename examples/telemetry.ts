/**
 * OpenTelemetry spans that survive the shutdown, the drain's own included: an HTTP server
 * under `main()` makes one span per request and spans during its drain, and the SDK's
 * batch processor exports them over OTLP/HTTP in the **flush phase**, after every other
 * cleanup step, inside a reserve at the end of the deadline that the steps before cannot
 * eat. (The usual bug: an exporter shut down by its own SIGTERM handler before the drain,
 * which loses the drain's spans.)
 *
 *     npm install --prefix examples   # once: the OpenTelemetry packages
 *     deno run -A examples/telemetry.ts
 *     bun examples/telemetry.ts
 *     node examples/telemetry.ts
 *
 * Environment: `PORT` (default 8000), `OTLP_URL` (default
 * `http://127.0.0.1:4318/v1/traces`), `TIMEOUT_MS` (default 10000). The last line on
 * stdout is `spans made: N, during drain: M`.
 *
 * @module
 */
import { createServer } from "node:http";
import { type Span, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { main } from "../src/main.ts";

type Env = (name: string) => string | undefined;
const host = globalThis as {
  Deno?: { env: { get: Env } };
  process?: { env: Record<string, string | undefined> };
};
const env: Env = (name) =>
  host.Deno ? host.Deno.env.get(name) : host.process?.env[name];

const port = Number(env("PORT") ?? 8000);
const url = env("OTLP_URL") ?? "http://127.0.0.1:4318/v1/traces";
const timeout = Number(env("TIMEOUT_MS") ?? 10_000);

const provider = new TracerProvider({
  spanProcessors: [
    new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }),
  ],
});
trace.setGlobalTracerProvider(provider);
const tracer = trace.getTracer("quiesce-example");

let made = 0;
let duringDrain = 0;
let draining = false;
/** Starts a span and counts it (and whether the drain had begun). */
function startSpan(name: string): Span {
  made++;
  if (draining) duringDrain++;
  return tracer.startSpan(name);
}

await main(async ({ shutdown, defer }) => {
  const server = createServer((request, response) => {
    const span = startSpan(`${request.method} ${request.url}`);
    setTimeout(() => {
      response.end("ok\n");
      span.end();
    }, 20);
  });
  await new Promise<void>((listening) =>
    server.listen(port, "127.0.0.1", listening)
  );
  const address = server.address();
  const listening = typeof address === "object" ? address?.port : port;
  console.log(`listening on http://127.0.0.1:${listening}/`);

  // A cleanup step with its own bound: a hung close() cannot eat the flush reserve.
  defer(async () => {
    const span = startSpan("drain: close the HTTP server");
    await new Promise<void>((closed) => {
      server.close(() => closed());
      server.closeIdleConnections();
    });
    span.end();
  }, { name: "http server", timeout: 2_000 });

  // Registered last, so as a plain cleanup step it would run first (steps run in reverse)
  // and lose the span of the server's close; as a flush step it runs after every other
  // step, in the reserve at the end of the deadline.
  defer(async () => {
    await provider.forceFlush();
    await provider.shutdown();
  }, { name: "otel exporter", phase: "flush" });

  const trigger = await shutdown.wait();
  draining = true;
  const span = startSpan("drain");
  span.setAttribute("quiesce.trigger", trigger);
  span.end();
}, {
  timeout,
  exitCode: (outcome) => {
    console.log(`spans made: ${made}, during drain: ${duringDrain}`);
    return outcome.code;
  },
});
