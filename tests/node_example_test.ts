// examples/node_server.ts (serve() on node:http) exactly as the README runs it (`node examples/node_server.ts`, Node
// 22 or later), with real signals to the real process: a request in flight at SIGTERM is
// answered, new connections are refused, the exit is 143; a second SIGTERM 500 ms later
// forces the exit without waiting for the slow request.
import {
  assert,
  assertEquals,
  assertGreaterOrEqual,
  assertLess,
  assertStringIncludes,
} from "@std/assert";
import { Child } from "./_child.ts";
import { requireRuntime, ROOT } from "./_runtime.ts";
import { freePort } from "./_free_port.ts";

const SERVER = `${ROOT}examples/node_server.ts`;
// At top level: in CI a missing Node (or one older than 22) fails the suite.
const NODE = requireRuntime("node");

async function start(
  env: Record<string, string> = {},
): Promise<{ child: Child; base: string }> {
  const port = freePort();
  const child = Child.start([NODE!, SERVER], {
    env: { PORT: String(port), ...env },
  });
  await child.waitFor(`listening on http://127.0.0.1:${port}/`);
  return { child, base: `http://127.0.0.1:${port}` };
}

Deno.test({
  name:
    "node examples/node_server.ts: a request in flight at SIGTERM completes, new connections are refused, exit 143",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, base } = await start();
    await using _ = child;
    const root = await fetch(`${base}/`);
    assertEquals([root.status, await root.text()], [200, "ok\n"]);
    const health = await fetch(`${base}/healthz`);
    assertEquals([health.status, await health.text()], [200, "ok\n"]);

    const slow = fetch(`${base}/slow?ms=1000`);
    await child.waitFor("GET /slow?ms=1000");
    assert(!child.ignores("SIGTERM"), "SIGTERM is ignored by the child");
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM: 1 request(s) in flight");
    // The listener stops (at the latest after its linger): new connections are refused
    // while the old request drains.
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = await fetch(`${base}/`).then(
        (response) => response.body?.cancel().then(() => false) ?? false,
        () => true,
      );
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert(refused, "the listener still accepts connections");
    const answered = await slow;
    assertEquals(answered.headers.get("connection"), "close");
    assertEquals([answered.status, await answered.text()], [
      200,
      "slept 1000 ms\n",
    ]);

    const exit = await child.exit(15_000);
    assertEquals(exit.code, 143, exit.stderr);
    assertEquals(exit.signal, null); // main() exited with the code, not killed by the signal
    assertEquals(exit.lines.at(-1), "http server closed (clean); exit 143");
    assertStringIncludes(
      exit.stderr,
      "quiesce: SIGTERM received, shutting down",
    );
    assertStringIncludes(exit.stderr, "quiesce: exiting with code 143");
    // It waited for the request (1 s from its start), but not for the 10 s deadline.
    assertGreaterOrEqual(exit.ms, 500);
    assertLess(exit.ms, 5_000);
  },
});

Deno.test({
  name:
    "node examples/node_server.ts: a second SIGTERM 500 ms later forces the exit (143) without waiting for the request",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, base } = await start();
    await using _ = child;
    const slow = fetch(`${base}/slow?ms=20000`).then(
      (response) => response.text(),
      (error: unknown) => error,
    );
    await child.waitFor("GET /slow?ms=20000");
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM: 1 request(s) in flight");
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill("SIGTERM");
    const exit = await child.exit(15_000);
    assertEquals(exit.code, 143, exit.stderr);
    assertStringIncludes(
      exit.stderr,
      "quiesce: SIGTERM received again, forcing the exit",
    );
    assertStringIncludes(
      exit.stdout,
      "http server closed (not clean); exit 143",
    );
    assertLess(exit.ms, 5_000); // the request would have taken 20 s, the deadline 10 s
    // The request in flight was cut off with the process.
    assert((await slow) instanceof TypeError, String(await slow));
  },
});

Deno.test({
  name:
    "node examples/node_server.ts: SIGINT (Ctrl+C) drains the same way and exits 130",
  ignore: NODE === undefined,
  fn: async () => {
    const { child } = await start();
    await using _ = child;
    assert(!child.ignores("SIGINT"), "SIGINT is ignored by the child");
    child.kill("SIGINT");
    const exit = await child.exit(15_000);
    assertEquals(exit.code, 130, exit.stderr);
    assertEquals(exit.lines.at(-1), "http server closed (clean); exit 130");
  },
});

Deno.test({
  name:
    "node examples/node_server.ts: with DRAIN_DELAY_MS, /healthz answers 503 after SIGTERM while the server still accepts",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, base } = await start({ DRAIN_DELAY_MS: "1000" });
    await using _ = child;
    child.kill("SIGTERM");
    await child.waitFor("SIGTERM received", { stream: "stderr" });
    const health = await fetch(`${base}/healthz`);
    assertEquals([health.status, await health.text()], [503, "draining\n"]);
    assertEquals(health.headers.get("connection"), "close");
    const root = await fetch(`${base}/`);
    assertEquals([root.status, await root.text()], [200, "ok\n"]);
    const exit = await child.exit(15_000);
    assertEquals(exit.code, 143, exit.stderr);
    assertGreaterOrEqual(exit.ms, 900); // the server closed only after the delay
  },
});
