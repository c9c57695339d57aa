// Hostile and slow clients at SIGTERM (issue 16 items 2-5): uploads in flight, a handler
// that answers before reading the body, half-sent requests and silent connections, slow
// and stalled readers, an SSE client that stops reading. Real curl and raw sockets
// against examples/server.ts and tests/load/_fixture_server.ts under serve()'s defaults.
import { rawConnection, rawUpload, readAll } from "./_clients.ts";
import type { Checks, Scenario } from "./_scenario.ts";
import {
  curl,
  freePort,
  randomFile,
  ROOT,
  type Runtime,
  RUNTIMES,
  Server,
  sleep,
} from "./_tools.ts";

const FIXTURE = `${ROOT}tests/load/_fixture_server.ts`;
const MiB = 1024 * 1024;

/** Runs `body` with a temporary directory holding a random file of `bytes`. */
async function withUpload<T>(
  bytes: number,
  body: (file: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "quiesce_upload_" });
  try {
    return await body(await randomFile(dir, bytes));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const summary = (results: { code: number; status: number; body: string }[]) =>
  results.map((r) => `curl ${r.code} HTTP ${r.status} ${r.body.trim()}`).join(
    "; ",
  );

/**
 * Four 4 MiB uploads to `POST /upload` at 2 MiB/s each (curl --limit-rate), SIGTERM
 * 0.7 s in, serve()'s defaults: each is answered 200 with its byte count, exit 143.
 */
async function uploadsInFlight(runtime: Runtime, t: Checks): Promise<void> {
  await withUpload(4 * MiB, async (file) => {
    const server = await Server.start(runtime);
    const uploads = Array.from({ length: 4 }, () =>
      curl([
        "--limit-rate",
        "2M",
        "--max-time",
        "15",
        "--data-binary",
        `@${file}`,
        `http://127.0.0.1:${server.port}/upload`,
      ]));
    await sleep(700);
    server.kill("SIGTERM");
    const [results, code] = await Promise.all([
      Promise.all(uploads),
      server.exit(),
    ]);
    const ok = results.filter((r) =>
      r.code === 0 && r.status === 200 && r.body === `${4 * MiB}\n`
    ).length;
    t.row(
      `4 uploads of 4 MiB at 2 MiB/s, SIGTERM 0.7 s in: ${ok}/4 answered 200 with ` +
        `the byte count (${summary(results)}); exit ${code}`,
    );
    t.check(ok === 4, `${4 - ok} uploads not answered 200 with the byte count`);
    t.check(code === 143, `exit ${code}`);
  });
}

/**
 * While draining (DRAIN_DELAY_MS=1000), four 2 MiB POSTs at 1 MiB/s to `/`, which
 * answers without reading the body, from raw clients that keep sending after the
 * response: each gets its 200 and sends its whole body with no broken pipe or reset,
 * and the server exits 143 without waiting for its deadline.
 */
async function answeredBeforeBody(runtime: Runtime, t: Checks): Promise<void> {
  const server = await Server.start(runtime, {
    DRAIN_DELAY_MS: "1000",
    TIMEOUT_MS: "8000",
  });
  server.kill("SIGTERM");
  const signalled = performance.now();
  await sleep(100);
  const posts = await Promise.all(
    Array.from({ length: 4 }, () => rawUpload(server.port, "/", 2 * MiB, 62)),
  );
  const code = await server.exit();
  const exitMs = Math.round(performance.now() - signalled);
  const clean =
    posts.filter((p) =>
      p.writeError === undefined && p.sent === 2 * MiB &&
      p.head.startsWith("HTTP/1.1 200")
    ).length;
  const problems = [
    ...new Set(posts.map((p) => p.writeError ?? "").filter(Boolean)),
    ...new Set(posts.map((p) => p.head.split("\r\n")[0]!)),
  ];
  t.row(
    `4 raw POSTs of 2 MiB at 1 MiB/s to a route that answers without reading, sent ` +
      `in the drain delay: ${clean}/4 got 200 and sent the whole body (sent ` +
      `${posts.map((p) => Math.round(p.sent / 1024)).join("/")} KiB; ${
        problems.join("; ")
      }); exit ${code} ${exitMs} ms after SIGTERM (deadline 8000)`,
  );
  t.check(clean === 4, `${4 - clean} POSTs not clean`);
  t.check(code === 143, `exit ${code}`);
  t.check(exitMs < 7_000, `exit ${exitMs} ms after SIGTERM`);
}

/**
 * Five connections that sent half a request line and five that sent nothing, opened
 * before SIGTERM under serve()'s defaults (deadline 10 s): they cannot hold the drain;
 * the server exits 143 well before its deadline, and main() logs how many it closed.
 */
async function hostileConnections(runtime: Runtime, t: Checks): Promise<void> {
  const server = await Server.start(runtime);
  const half = await Promise.all(
    Array.from({ length: 5 }, () => rawConnection(server.port, "GET / HT")),
  );
  const silent = await Promise.all(
    Array.from({ length: 5 }, () => rawConnection(server.port)),
  );
  await sleep(300);
  const signalled = performance.now();
  server.kill("SIGTERM");
  const ended = [...half, ...silent].map((conn) =>
    readAll(conn, 12_000).then((r) => ({
      ...r,
      ms: Math.round(performance.now() - signalled),
    }))
  );
  const code = await server.exit();
  const exitMs = Math.round(performance.now() - signalled);
  const ends = await Promise.all(ended);
  const describe = (list: typeof ends) =>
    [...new Set(list.map((e) => e.end))].join("/") +
    ` after ${Math.min(...list.map((e) => e.ms))}-${
      Math.max(...list.map((e) => e.ms))
    } ms`;
  // main()'s line for the report's counts: Deno closes all ten; Bun never accepted the
  // silent ones (TCP_DEFER_ACCEPT: a connection is accepted with its first byte).
  const counted = /quiesce: counted: (.*)/.exec(server.output)?.[1];
  const expected = `http server: connections closed carrying no request = ${
    runtime === "bun" ? 5 : 10
  }`;
  t.row(
    `5 half-sent request lines: ${describe(ends.slice(0, 5))}; 5 silent ` +
      `connections: ${
        describe(ends.slice(5))
      }; exit ${code} ${exitMs} ms after ` +
      `SIGTERM (deadline 10000); counted: ${counted}`,
  );
  t.check(code === 143, `exit ${code}`);
  t.check(exitMs < 5_000, `exit ${exitMs} ms after SIGTERM`);
  t.check(counted === expected, `counted ${counted}, not ${expected}`);
}

/**
 * Two clients of a 32 MiB body (more than loopback's socket buffers hold), SIGTERM 0.3 s
 * in, serve()'s defaults with an 8 s deadline: a slow reader (about 8 MiB/s, 4 s) gets
 * the whole body, since a request is in flight until its last byte is handed over; a
 * reader that stopped after its first 64 KiB is cut within the bound (stallTimeout, 5 s:
 * on Bun rounded up to its 4 s ticks, so here the deadline may come first), and the
 * shutdown names it (`GET /big`) and does not call itself clean (exit 1). Also on Node.
 */
async function slowReaders(runtime: Runtime, t: Checks): Promise<void> {
  const server = await Server.start(
    runtime,
    { TIMEOUT_MS: "8000" },
    freePort(),
    FIXTURE,
  );
  const request = "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const slowConn = await rawConnection(server.port, request);
  const slow = readAll(slowConn, 15_000, 256 * 1024, 30);
  const stalled = await rawConnection(server.port, request);
  const first = await stalled.read(new Uint8Array(65_536)) ?? 0;
  await sleep(300);
  const signalled = performance.now();
  server.kill("SIGTERM");
  const code = await server.exit();
  const exitMs = Math.round(performance.now() - signalled);
  const slowEnd = await slow;
  stalled.close();
  const named = server.output.includes("GET /big");
  const said = server.output.split("\n").filter((l) =>
    /still|straggl|timed out|not/i.test(l)
  );
  const whole = slowEnd.bytes >= 32 * MiB; // the head comes on top
  t.row(
    `slow reader (8 MiB/s): ${
      (slowEnd.bytes / MiB).toFixed(1)
    } MiB read with the ` +
      `head, ${
        whole ? "the whole body" : "CUT"
      } (${slowEnd.end}); stalled reader: ` +
      `read ${first} bytes then stopped; the shutdown output ` +
      `${
        named ? "names" : "does not name"
      } GET /big; exit ${code} ${exitMs} ms ` +
      `after SIGTERM (deadline 8000); the server said: ${said.join(" / ")}`,
  );
  t.check(whole, "the slow reader did not get the whole body");
  t.check(named, "the shutdown does not name the stalled GET /big");
  t.check(code === 1, `exit ${code} with a stalled reader cut`);
  t.check(exitMs < 9_000, `exit ${exitMs} ms after SIGTERM`);
}

/**
 * An SSE client that stops reading a producer of 64 KiB events that ignores
 * backpressure, for 2 s: the server's resident memory grows by less than 32 MiB, the
 * server cuts the client and names it (`GET /flood`); then SIGTERM, and the server exits
 * within its deadline.
 */
async function stalledSse(runtime: Runtime, t: Checks): Promise<void> {
  const server = await Server.start(
    runtime,
    { TIMEOUT_MS: "5000" },
    freePort(),
    FIXTURE,
  );
  const conn = await rawConnection(
    server.port,
    "GET /flood HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
  );
  // The stream flows (256 KiB read) before the client stops reading.
  const buffer = new Uint8Array(65_536);
  let received = 0;
  for (let i = 0; i < 1_000 && received < 256 * 1024; i++) {
    received += await conn.read(buffer) ?? Infinity;
  }
  await sleep(300);
  const before = await server.rssKiB();
  await sleep(2_000);
  const grownMiB = Math.round((await server.rssKiB() - before) / 1024);
  // Cut by the server: what the kernel still holds for it, then EOF or a reset.
  const rest = await readAll(conn, 3_000);
  const signalled = performance.now();
  server.kill("SIGTERM");
  const code = await server.exit();
  const exitMs = Math.round(performance.now() - signalled);
  const named = server.output.includes("GET /flood");
  t.row(
    `SSE client that read ${received} bytes of a producer ignoring backpressure, ` +
      `then stopped reading for 2 s: server memory +${grownMiB} MiB; its connection ` +
      `${
        rest.end === "still open" ? "still open" : `ended (${rest.end})`
      } after ` +
      `${(rest.bytes / MiB).toFixed(1)} MiB more; the server's output ` +
      `${
        named ? "names" : "does not name"
      } GET /flood; exit ${code} ${exitMs} ms ` +
      `after SIGTERM (deadline 5000)`,
  );
  t.check(
    Number.isFinite(received) && received >= 256 * 1024,
    `the stream ended after ${received} bytes`,
  );
  t.check(grownMiB < 32, `server memory grew ${grownMiB} MiB`);
  t.check(rest.end !== "still open", "the stalled client was not cut");
  t.check(named, "the stalled GET /flood is not named");
  t.check(exitMs < 6_000, `exit ${exitMs} ms after SIGTERM`);
}

export const hostileScenarios: readonly Scenario[] = [
  { name: "uploads in flight", runtimes: RUNTIMES, run: uploadsInFlight },
  { name: "answered before body", runtimes: RUNTIMES, run: answeredBeforeBody },
  {
    name: "half and silent connections",
    runtimes: RUNTIMES,
    run: hostileConnections,
  },
  { name: "slow readers", runtimes: [...RUNTIMES, "node"], run: slowReaders },
  { name: "stalled SSE", runtimes: RUNTIMES, run: stalledSse },
];
