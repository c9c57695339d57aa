// The HTTP/1.1 rows on one examples/server.ts: keep-alive load, SSE streams, idle
// keep-alive connections, and keep-alive clients under serve()'s defaults.
import { idleClients, keepAliveClients } from "./_clients.ts";
import type { Checks, Scenario } from "./_scenario.ts";
import { type Runtime, RUNTIMES, Server, sleep, wrk } from "./_tools.ts";

/** Steady keep-alive load (wrk) plus 50 probe connections opened before SIGTERM. */
async function steadyLoad(runtime: Runtime, t: Checks): Promise<void> {
  const server = await Server.start(runtime, { DRAIN_DELAY_MS: "500" });
  const url = `http://127.0.0.1:${server.port}/`;
  const load = wrk(["-t2", "-c100", "-d3s", "--timeout", "5s", url]);
  await sleep(1_000);
  const probes = keepAliveClients(server.port, 50, 8_000);
  await sleep(1_000);
  server.kill("SIGTERM");
  const [outcome, result, code] = await Promise.all([
    probes,
    load,
    server.exit(),
  ]);
  t.row(
    `wrk ${result.requests} requests, non-2xx ${result.non2xx}, ` +
      `socket errors (wrk cannot tell old connections from its reconnects after the ` +
      `listener stopped) connect ${result.connect} read ${result.read} write ${result.write} ` +
      `timeout ${result.timeout}; ` +
      `probes opened before the signal: ${outcome.responses} responses, ` +
      `${outcome.toldToClose}/50 told to close, ${outcome.errors.length} errors; exit ${code}`,
  );
  t.check(
    outcome.errors.length === 0,
    `${outcome.errors.join("; ")}`,
  );
  t.check(
    outcome.toldToClose === 50,
    `not every probe told to close`,
  );
  t.check(result.non2xx === 0, `${result.non2xx} non-2xx`);
  t.check(
    result.timeout === 0,
    `${result.timeout} timeouts`,
  );
  t.check(result.requests > 0, `wrk made no requests`);
  t.check(code === 143, `exit ${code}`);
}

/** Twenty curl SSE clients; SIGTERM; each stream ends cleanly with the final event. */
async function sseStreams(runtime: Runtime, t: Checks): Promise<void> {
  const server = await Server.start(runtime);
  const url = `http://127.0.0.1:${server.port}/sse`;
  const curls = Array.from({ length: 20 }, () =>
    new Deno.Command("curl", {
      args: ["-sN", "--max-time", "15", url],
      stdout: "piped",
      stderr: "null",
    }).output());
  await sleep(1_000);
  const signalled = performance.now();
  server.kill("SIGTERM");
  const code = await server.exit();
  const exitMs = performance.now() - signalled;
  const outputs = await Promise.all(curls);
  const clean = outputs.filter((o) =>
    o.code === 0 &&
    new TextDecoder().decode(o.stdout).endsWith(
      "event: shutdown\ndata: server shutting down\n\n",
    )
  ).length;
  t.row(
    `${clean}/20 streams ended cleanly with the final event; ` +
      `exit ${code} ${Math.round(exitMs)} ms after SIGTERM`,
  );
  t.check(clean === 20, `${20 - clean} streams not clean`);
  t.check(code === 143, `exit ${code}`);
  t.check(exitMs < 3_000, `exit took ${Math.round(exitMs)} ms`);
}

/** Idle keep-alive connections (used once); SIGTERM; each gets a clean FIN. */
async function idleKeepAlive(runtime: Runtime, t: Checks): Promise<void> {
  const server = await Server.start(runtime);
  const used = await idleClients(server.port, 50, true);
  await used.ready;
  const fresh = await idleClients(server.port, 10, false);
  await sleep(300);
  server.kill("SIGTERM");
  const [usedOutcome, freshOutcome, code] = await Promise.all([
    used.ended(8_000),
    // Bun defers accept (the server side stays SYN-RECV, `ss -tan`): when the listener
    // closes they get neither FIN nor reset.
    fresh.ended(3_000),
    server.exit(),
  ]);
  t.row(
    `${usedOutcome.clean}/50 closed cleanly, ` +
      `${usedOutcome.resets} resets; never-used connections (informational, a ` +
      `balancer's job): ${freshOutcome.clean} clean, ${freshOutcome.resets} resets, ` +
      `${freshOutcome.other.length} other (${
        [...new Set(freshOutcome.other)].join("; ")
      }); exit ${code}`,
  );
  t.check(
    usedOutcome.resets === 0,
    `${usedOutcome.resets} resets`,
  );
  t.check(
    usedOutcome.clean === 50,
    `${usedOutcome.other.join("; ")}`,
  );
  t.check(code === 143, `exit ${code}`);
}

/**
 * Fifty keep-alive connections opened before SIGTERM, each a pooled client under light
 * load (idle 0-200 ms between requests), under serve()'s defaults (no DRAIN_DELAY_MS):
 * none may see EOF or a reset instead of a response (issue 16 item 6).
 */
async function keepAliveDefaults(runtime: Runtime, t: Checks): Promise<void> {
  const server = await Server.start(runtime);
  const probes = keepAliveClients(server.port, 50, 8_000, 200);
  await sleep(1_000);
  server.kill("SIGTERM");
  const [outcome, code] = await Promise.all([probes, server.exit()]);
  const kinds = new Map<string, number>();
  for (const error of outcome.errors) {
    kinds.set(error, (kinds.get(error) ?? 0) + 1);
  }
  t.row(
    `50 pooled connections (idle 0-200 ms between requests) opened before SIGTERM, no DRAIN_DELAY_MS: ` +
      `${outcome.responses} responses, ${outcome.toldToClose}/50 told to close, ` +
      `${outcome.errors.length} errors${
        kinds.size
          ? ` (${[...kinds].map(([k, n]) => `${n}× ${k}`).join("; ")})`
          : ""
      }; exit ${code}`,
  );
  t.check(
    outcome.errors.length === 0,
    `${outcome.errors.length} client errors`,
  );
  t.check(code === 143, `exit ${code}`);
}

export const basicScenarios: readonly Scenario[] = [
  { name: "keep-alive load", runtimes: RUNTIMES, run: steadyLoad },
  { name: "keep-alive defaults", runtimes: RUNTIMES, run: keepAliveDefaults },
  { name: "SSE streams", runtimes: RUNTIMES, run: sseStreams },
  { name: "idle keep-alive", runtimes: RUNTIMES, run: idleKeepAlive },
];
