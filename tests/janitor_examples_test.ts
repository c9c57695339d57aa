// The janitor examples: a request whose deep code registers an audit
// write that the response waits for, in-process and over a real Deno.serve; and a program
// under main() whose daemons are drained on SIGTERM, as real Deno, Bun and Node processes.
import { assert, assertEquals, assertGreaterOrEqual } from "@std/assert";
import { type AuditLog, createHandler } from "../examples/janitor_request.ts";
import { GracefulShutdown } from "../mod.ts";
import { Child, signalCode } from "./_child.ts";
import { commandFor, requireRuntime, type RuntimeName } from "./_runtime.ts";
import { pause } from "./fixtures/janitor/_helpers.ts";

const DAEMONS = new URL("../examples/janitor_daemons.ts", import.meta.url)
  .pathname;
// At top level: in CI a missing runtime throws here and fails the suite.
const BINARIES: Record<RuntimeName, string | undefined> = {
  deno: requireRuntime("deno"),
  bun: requireRuntime("bun"),
  node: requireRuntime("node"),
};

/** A shutdown signal that never aborts. */
const NEVER = new AbortController().signal;

/** An audit log that takes `ms` per write and records when each write finished. */
function slowLog(ms: number) {
  const written: Array<{ entry: string; at: number; aborted: unknown }> = [];
  const log: AuditLog = {
    async write(entry, signal) {
      await pause(ms);
      written.push({ entry, at: performance.now(), aborted: signal.aborted });
    },
  };
  return { log, written };
}

Deno.test("request example: the response is returned only after the audit write that deep code registered", async () => {
  const { log, written } = slowLog(20);
  const handle = createHandler(log, NEVER);
  const response = await handle(
    new Request("http://localhost/orders?item=tea"),
  );
  const respondedAt = performance.now();
  assertEquals(written.length, 1);
  assert(/^order \d+: tea$/.test(written[0]!.entry), written[0]!.entry);
  assert(written[0]!.at <= respondedAt);
  assertEquals(
    await response.text(),
    `${written[0]!.entry.split(":")[0]} placed\n`,
  );
});

Deno.test("request example: concurrent requests each wait for their own audit write only", async () => {
  const { log, written } = slowLog(0);
  const slowLogWrites: string[] = [];
  const slow: AuditLog = {
    async write(entry) {
      await pause(40);
      slowLogWrites.push(entry);
    },
  };
  const fast = createHandler(log, NEVER);
  const slowHandler = createHandler(slow, NEVER);
  const slowResponse = slowHandler(new Request("http://localhost/?item=slow"));
  await (await fast(new Request("http://localhost/?item=fast"))).text();
  assertEquals(written.map((w) => w.entry.endsWith("fast")), [true]);
  assertEquals(
    slowLogWrites,
    [],
    "the fast request did not wait for the slow one",
  );
  await (await slowResponse).text();
  assertEquals(slowLogWrites.length, 1);
});

Deno.test("request example: a shutdown aborts the audit write's signal, and the request still waits for it", async () => {
  const shutdown = new GracefulShutdown({ signals: false, onProgress: false });
  const seen: unknown[] = [];
  const log: AuditLog = {
    async write(_entry, signal) {
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      await pause(5); // finish the write in hand
      seen.push(signal.aborted);
    },
  };
  const pending = createHandler(log, shutdown.token.signal)(
    new Request("http://localhost/?item=late"),
  );
  await pause(5);
  const report = await shutdown.shutdown();
  assert(report.ok);
  const body = await (await pending).text();
  assert(/^order \d+ placed\n$/.test(body), body);
  assertEquals(seen, [true]);
});

Deno.test("request example over a real Deno.serve: the audit entry is written before the client gets the response", async () => {
  const { log, written } = slowLog(15);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createHandler(log, NEVER),
  );
  const response = await fetch(
    `http://127.0.0.1:${server.addr.port}/orders?item=coffee`,
  );
  const receivedAt = performance.now();
  const body = await response.text();
  assertEquals(written.length, 1);
  assert(written[0]!.entry.endsWith(": coffee"));
  assertGreaterOrEqual(receivedAt, written[0]!.at);
  assert(body.endsWith("placed\n"), body);
});

for (const runtime of ["deno", "bun", "node"] as const) {
  Deno.test({
    name:
      `daemons example on ${runtime} (real process): SIGTERM stops the daemons, the janitor waits for them, exit 143`,
    ignore: BINARIES[runtime] === undefined,
    async fn() {
      await using child = Child.start(
        commandFor(runtime, BINARIES[runtime]!, DAEMONS),
      );
      await child.waitFor("ready");
      await pause(120); // let both loops run a few rounds
      assertEquals(child.ignores("SIGTERM"), false);
      child.kill("SIGTERM");
      const exit = await child.exit(15_000);
      assertEquals(exit.code, signalCode("SIGTERM"), exit.stderr);
      assertEquals(exit.lines.slice(0, 2), ["ready", "stopping on SIGTERM"]);
      assertEquals(exit.lines.slice(2, 4).sort(), [
        "metrics flusher stopped",
        "queue consumer stopped",
      ]);
      assertEquals(exit.lines.slice(4), ["daemons drained"]);
    },
  });
}
