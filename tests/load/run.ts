// The load suite (`deno task test:load`): examples/server.ts on Deno and Bun under real
// clients — wrk, curl, raw sockets — and behind a real HAProxy, stopped with SIGTERM.
// Loopback only; every scenario is bounded in connections and seconds; exits 1 on any
// failed check. Installs wrk and haproxy from Debian packages when missing.
import { idleClients, keepAliveClients } from "./_clients.ts";
import {
  ensureTools,
  freePort,
  type Runtime,
  Server,
  sleep,
  which,
  wrk,
} from "./_tools.ts";

const failures: string[] = [];
const rows: string[] = [];
function check(ok: boolean, what: string): void {
  if (!ok) failures.push(what);
}

/** 1. Steady keep-alive load (wrk) plus 50 probe connections opened before SIGTERM. */
async function steadyLoad(runtime: Runtime): Promise<void> {
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
  rows.push(
    `${runtime} keep-alive load: wrk ${result.requests} requests, non-2xx ${result.non2xx}, ` +
      `socket errors (wrk cannot tell old connections from its reconnects after the ` +
      `listener stopped) connect ${result.connect} read ${result.read} write ${result.write} ` +
      `timeout ${result.timeout}; ` +
      `probes opened before the signal: ${outcome.responses} responses, ` +
      `${outcome.toldToClose}/50 told to close, ${outcome.errors.length} errors; exit ${code}`,
  );
  check(
    outcome.errors.length === 0,
    `${runtime} keep-alive: ${outcome.errors.join("; ")}`,
  );
  check(
    outcome.toldToClose === 50,
    `${runtime} keep-alive: not every probe told to close`,
  );
  check(result.non2xx === 0, `${runtime} keep-alive: ${result.non2xx} non-2xx`);
  check(
    result.timeout === 0,
    `${runtime} keep-alive: ${result.timeout} timeouts`,
  );
  check(result.requests > 0, `${runtime} keep-alive: wrk made no requests`);
  check(code === 143, `${runtime} keep-alive: exit ${code}`);
}

/** 2. Twenty curl SSE clients; SIGTERM; each stream ends cleanly with the final event. */
async function sseStreams(runtime: Runtime): Promise<void> {
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
  rows.push(
    `${runtime} SSE: ${clean}/20 streams ended cleanly with the final event; ` +
      `exit ${code} ${Math.round(exitMs)} ms after SIGTERM`,
  );
  check(clean === 20, `${runtime} SSE: ${20 - clean} streams not clean`);
  check(code === 143, `${runtime} SSE: exit ${code}`);
  check(exitMs < 3_000, `${runtime} SSE: exit took ${Math.round(exitMs)} ms`);
}

/** 3. Idle keep-alive connections (used once); SIGTERM; each gets a clean FIN. */
async function idleKeepAlive(runtime: Runtime): Promise<void> {
  const server = await Server.start(runtime);
  const used = await idleClients(server.port, 50, true);
  await used.ready;
  const fresh = await idleClients(server.port, 10, false);
  await sleep(300);
  server.kill("SIGTERM");
  const [usedOutcome, freshOutcome, code] = await Promise.all([
    used.ended(8_000),
    fresh.ended(3_000), // Bun leaves them hanging: neither FIN nor reset
    server.exit(),
  ]);
  rows.push(
    `${runtime} idle keep-alive: ${usedOutcome.clean}/50 closed cleanly, ` +
      `${usedOutcome.resets} resets; never-used connections (informational, a ` +
      `balancer's job): ${freshOutcome.clean} clean, ${freshOutcome.resets} resets, ` +
      `${freshOutcome.other.length} other (${
        [...new Set(freshOutcome.other)].join("; ")
      }); exit ${code}`,
  );
  check(
    usedOutcome.resets === 0,
    `${runtime} idle: ${usedOutcome.resets} resets`,
  );
  check(
    usedOutcome.clean === 50,
    `${runtime} idle: ${usedOutcome.other.join("; ")}`,
  );
  check(code === 143, `${runtime} idle: exit ${code}`);
}

/** 4. Rolling restart of two instances behind HAProxy (checks /healthz every 200 ms). */
async function rollingRestart(runtime: Runtime): Promise<void> {
  const [a, b, front] = [freePort(), freePort(), freePort()];
  const env = { DRAIN_DELAY_MS: "1000" };
  const config = await Deno.makeTempFile({
    prefix: "quiesce_haproxy_",
    suffix: ".cfg",
  });
  await Deno.writeTextFile(
    config,
    `global
  maxconn 2000
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:${front}
  default_backend be
backend be
  balance roundrobin
  option httpchk
  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
  default-server inter 200 fall 1 rise 2
  server a 127.0.0.1:${a} check
  server b 127.0.0.1:${b} check
`,
  );
  const servers = [
    await Server.start(runtime, env, a),
    await Server.start(runtime, env, b),
  ];
  const haproxy = new Deno.Command("haproxy", {
    args: ["-f", config, "-db"],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const codes: number[] = [];
  try {
    // Both servers up in HAProxy's view before the load starts.
    for (let up = 0, i = 0; up < 10 && i < 100; i++) {
      const ok = await fetch(`http://127.0.0.1:${front}/`).then(
        async (r) => (await r.body?.cancel(), r.ok),
        () => false,
      );
      up = ok ? up + 1 : 0;
      await sleep(50);
    }
    const load = wrk([
      "-t2",
      "-c50",
      "-d7s",
      "--timeout",
      "5s",
      `http://127.0.0.1:${front}/`,
    ]);
    await sleep(1_000);
    for (const [i, port] of [[0, a], [1, b]] as const) {
      servers[i]!.kill("SIGTERM");
      codes.push(await servers[i]!.exit());
      servers[i] = await Server.start(runtime, env, port);
      await sleep(1_000); // back in rotation (rise 2 × 200 ms)
    }
    const result = await load;
    const errors = result.connect + result.read + result.write + result.timeout;
    rows.push(
      `${runtime} rolling restart behind HAProxy: ${result.requests} requests, ` +
        `${result.non2xx} balancer errors (non-2xx), ${errors} socket errors; exits ${
          codes.join(", ")
        }`,
    );
    check(result.non2xx === 0, `${runtime} rolling: ${result.non2xx} non-2xx`);
    check(errors === 0, `${runtime} rolling: ${errors} socket errors`);
    check(result.requests > 0, `${runtime} rolling: wrk made no requests`);
    check(codes.every((c) => c === 143), `${runtime} rolling: exits ${codes}`);
  } finally {
    for (const server of servers) {
      server.kill("SIGTERM");
      await server.exit();
    }
    haproxy.kill("SIGTERM");
    await haproxy.output();
    await Deno.remove(config);
  }
}

const watchdog = setTimeout(() => {
  console.error("load suite: over its 170 s budget");
  Deno.exit(1);
}, 170_000);
const started = performance.now();
await ensureTools();
const runtimes: Runtime[] = which("bun") ? ["deno", "bun"] : ["deno"];
if (!which("bun")) failures.push("bun is not on PATH");
for (const runtime of runtimes) {
  for (
    const scenario of [steadyLoad, sseStreams, idleKeepAlive, rollingRestart]
  ) {
    console.log(`== ${runtime}: ${scenario.name}`);
    try {
      await scenario(runtime);
    } catch (error) {
      failures.push(`${runtime} ${scenario.name}: ${error}`);
    }
    console.log(rows.at(-1));
  }
}
clearTimeout(watchdog);
console.log(
  `\n== load suite, ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
for (const row of rows) console.log(`  ${row}`);
if (failures.length > 0) {
  console.log(`\n${failures.length} failed check(s):`);
  for (const failure of failures) console.log(`  - ${failure}`);
  Deno.exit(1);
}
console.log("all checks passed");
