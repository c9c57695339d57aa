/**
 * quiesce's demo: a small server program run by `main()`. It serves HTTP, runs a background
 * job loop and a web worker, and on Ctrl+C (or SIGTERM) drains all three, showing progress.
 *
 *     deno task demo                      # serves until Ctrl+C
 *     deno task demo --stop-after 3       # sends itself SIGTERM after 3 s
 *     deno task demo --port 0             # any free port
 *     bun examples/demo.ts --stop-after 3 # the same on Bun
 *
 * @module
 */
import { sleep } from "../mod.ts";
import { main } from "../src/main.ts";
import { serve } from "../src/http.ts";
import { stopWorker } from "../src/worker.ts";
import { cooperativeWorker } from "./cooperative_worker.ts";

// Deno or Bun, found through globalThis so the demo runs unchanged on both.
const host = globalThis as {
  Deno?: {
    args: string[];
    pid: number;
    kill(pid: number, signal: string): void;
  };
  process?: {
    argv: string[];
    pid: number;
    kill(pid: number, signal: string): void;
  };
};
const args = host.Deno?.args ?? host.process?.argv.slice(2) ?? [];
const killSelf = () =>
  host.Deno
    ? host.Deno.kill(host.Deno.pid, "SIGTERM")
    : host.process?.kill(host.process.pid, "SIGTERM");

function option(name: string): string | undefined {
  const at = args.findIndex((arg) =>
    arg === name || arg.startsWith(`${name}=`)
  );
  if (at === -1) return undefined;
  const arg = args[at]!;
  return arg.includes("=") ? arg.slice(name.length + 1) : args[at + 1];
}

const port = Number(option("--port") ?? 8000);
const stopAfter = option("--stop-after");
const started = performance.now();
const log = (text: string) =>
  console.log(
    `[${
      ((performance.now() - started) / 1000).toFixed(1).padStart(5)
    }s] ${text}`,
  );

await main(async ({ shutdown, spawn, defer }) => {
  log("starting: an HTTP server, a background job loop and a web worker");

  // `./http` fails /healthz from the first signal on, stops the listener when the drain
  // begins, says `Connection: close` meanwhile, and the drain waits for in-flight requests.
  serve({
    shutdown,
    hostname: "127.0.0.1",
    port,
    readiness: "/healthz",
    onListen: ({ port }) =>
      log(`serving http://127.0.0.1:${port}/  (try /healthz and /slow)`),
    fetch: async (request) => {
      if (new URL(request.url).pathname === "/slow") await sleep(2_000);
      return new Response("hello from quiesce\n");
    },
  });
  shutdown.subscribe((signal) => {
    log(
      `received ${signal}: refusing new connections, finishing in-flight requests`,
    );
  });
  defer(() => log("http server closed"), "http server log");

  spawn("job-loop", (signal) =>
    cooperativeWorker(signal, async (unit) => {
      log(`job ${unit}: started`);
      await sleep(1_500); // a unit of work is finished, never abandoned
      log(`job ${unit}: done`);
    }));

  const worker = new Worker(new URL("./demo_worker.ts", import.meta.url), {
    type: "module",
  });
  const ready = Promise.withResolvers<void>();
  worker.addEventListener("message", (event: MessageEvent) => {
    if (event.data === "ready") ready.resolve();
    else if (event.data?.log) log(`worker: ${event.data.log}`);
  });
  await ready.promise;
  defer(async () => {
    log("asking the worker to stop");
    log(`worker stopped: ${await stopWorker(worker, { timeout: 3_000 })}`);
  }, "worker");

  if (stopAfter !== undefined) {
    const seconds = Number(stopAfter);
    if (!(seconds >= 0)) {
      throw new RangeError(`--stop-after: expected seconds, got ${stopAfter}`);
    }
    log(`sending myself SIGTERM in ${seconds} s (--stop-after)`);
    const timer = setTimeout(killSelf, seconds * 1_000);
    shutdown.subscribe(() => clearTimeout(timer));
  }
  log("running; press Ctrl+C to stop (a second Ctrl+C forces the exit)");
  await shutdown.wait();
}, {
  timeout: 8_000,
  exitCode: (outcome) => {
    const how = outcome.forcedBy
      ? `forced by a second ${outcome.forcedBy}`
      : `after ${outcome.trigger}`;
    const ok = outcome.report?.ok ? "clean" : "not clean";
    log(`drained ${how} (${ok}); exiting with ${outcome.code}`);
    return outcome.code;
  },
});
