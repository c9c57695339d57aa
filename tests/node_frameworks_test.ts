// Frameworks from npm on Node 22, each example in a real `node` process with real clients and
// signals: Express under attachNodeServer() (examples/npm/express_server.ts), Hono through
// @hono/node-server, @hono/node-ws and nodeListener() (examples/npm/hono_node.ts), and Hono
// through quiesce's serve() (examples/npm/hono_serve.ts).
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import { Child } from "./_child.ts";
import { ensureNpmPackages } from "./_npm.ts";
import { requireRuntime, ROOT } from "./_runtime.ts";

const NODE = requireRuntime("node");

/** GET /conn on a connection of its own: the reply and this side's port. */
async function connInfo(base: string): Promise<[string, number]> {
  using conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(base).port),
  });
  await conn.write(
    new TextEncoder().encode(
      "GET /conn HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    ),
  );
  const reply = new TextDecoder().decode(
    await new Response(conn.readable).arrayBuffer(),
  );
  return [reply, (conn.localAddr as Deno.NetAddr).port];
}

/**
 * Reads an SSE body until `tick 2`, sends SIGTERM, runs `whileDraining`, reads to the end
 * (throws if the body is cut).
 */
async function sseUntilDrained(
  base: string,
  child: Child,
  whileDraining?: () => Promise<void>,
): Promise<string> {
  const sse = await fetch(`${base}/sse`);
  const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("data: tick 2\n\n")) {
    text += (await reader.read()).value;
  }
  child.kill("SIGTERM");
  await whileDraining?.();
  while (true) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += value;
  }
}

/** A WebSocket to `/ws` that got its echo, and its close event to come. */
async function echoingSocket(
  base: string,
): Promise<{ closed: Promise<CloseEvent> }> {
  const socket = new WebSocket(`${base.replace("http", "ws")}/ws`);
  const closed = new Promise<CloseEvent>((resolve) =>
    socket.addEventListener("close", resolve)
  );
  await new Promise((resolve) => socket.addEventListener("open", resolve));
  const echoed = new Promise<string>((resolve) =>
    socket.addEventListener("message", (e) => resolve(String(e.data)), {
      once: true,
    })
  );
  socket.send("hi");
  assertEquals(await echoed, "echo hi");
  return { closed }; // not `closed` itself: an async function would wait for it
}

async function start(example: string, env: Record<string, string> = {}) {
  await ensureNpmPackages();
  const child = Child.start([NODE!, `${ROOT}examples/npm/${example}`], {
    env: { PORT: "0", ...env },
  });
  const line = await child.waitFor(/^listening on /);
  return { child, base: line.replace(/^listening on |\/$/g, "") };
}

Deno.test({
  name:
    "Express under attachNodeServer(): readiness 503 and Connection: close from SIGTERM, the request in flight answered, exit 143",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, base } = await start("express_server.ts", {
      DRAIN_DELAY_MS: "800",
    });
    await using _ = child;
    const root = await fetch(`${base}/`);
    assertEquals([root.status, await root.text()], [200, "ok\n"]);
    const ready = await fetch(`${base}/healthz`);
    assertEquals([ready.status, await ready.text()], [200, "ok\n"]);
    const slow = fetch(`${base}/slow?ms=1500`);
    await child.waitFor("slow: 1500 ms");
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM: GET /slow");
    const draining = await fetch(`${base}/healthz`);
    assertEquals([draining.status, await draining.text()], [503, "draining\n"]);
    assertEquals(draining.headers.get("connection"), "close");
    const stillServed = await fetch(`${base}/`); // the app, during the drain delay
    assertEquals(await stillServed.text(), "ok\n");
    assertEquals(stillServed.headers.get("connection"), "close");
    const answered = await slow;
    assertEquals(await answered.text(), "slept 1500 ms\n");
    assertEquals(answered.headers.get("connection"), "close");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stderr);
    assertStringIncludes(exit.stderr, "shut down cleanly");
  },
});

Deno.test({
  name:
    "Express under attachNodeServer(): at the deadline the straggler is named GET /slow and its connection closed, exit 1",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, base } = await start("express_server.ts", {
      TIMEOUT_MS: "800",
    });
    await using _ = child;
    const slow = fetch(`${base}/slow?ms=20000`).then(
      (response) => response.text(),
      (error: unknown) => error,
    );
    await child.waitFor("slow: 20000 ms");
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 1, exit.stderr);
    assertMatch(
      exit.stderr,
      /Still running after the 800 ms deadline: GET \/slow \(task/,
    );
    assert((await slow) instanceof TypeError, String(await slow)); // cut, not answered
    assert(exit.ms < 5_000, `took ${exit.ms} ms`);
  },
});

Deno.test({
  name:
    "Express under attachNodeServer(): a request Express answers 500 during the drain fails the report (exit 1, named GET /fail)",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, base } = await start("express_server.ts", {
      DRAIN_DELAY_MS: "600",
    });
    await using _ = child;
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM");
    const failed = await fetch(`${base}/fail`);
    assertEquals(failed.status, 500);
    await failed.body?.cancel();
    const exit = await child.exit();
    assertEquals(exit.code, 1, exit.stderr);
    assertStringIncludes(exit.stderr, "GET /fail: answered 500");
  },
});

Deno.test({
  name:
    "Hono on Node (@hono/node-server, nodeListener): getConnInfo, upgradeWebSocket closed with 1001 at the drain, streamSSE ends cleanly, exit 143",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, base } = await start("hono_node.ts");
    await using _ = child;
    // getConnInfo: the address of this very connection.
    const [reply, localPort] = await connInfo(base);
    assertStringIncludes(reply, `127.0.0.1:${localPort}\n`);
    const { closed } = await echoingSocket(base);
    // streamSSE: an endless loop that only checks stream.aborted.
    const text = await sseUntilDrained(base, child);
    assert(text.endsWith("\n\n"), text); // ends after a whole event
    assertEquals((await closed).code, 1001);
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stderr);
    assert(exit.ms < 5_000, `took ${exit.ms} ms`);
  },
});

Deno.test({
  name:
    "Hono on Node through serve(): getConnInfo reads the { incoming } quiesce passes, upgradeWebSocket through server.nodeServer closed with 1001, streamSSE ends cleanly, readiness 503, exit 143",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, base } = await start("hono_serve.ts", {
      DRAIN_DELAY_MS: "600",
    });
    await using _ = child;
    const [reply, localPort] = await connInfo(base);
    assertStringIncludes(reply, `127.0.0.1:${localPort}\n`);
    const { closed } = await echoingSocket(base);
    const text = await sseUntilDrained(base, child, async () => {
      await child.waitFor("received SIGTERM");
      const draining = await fetch(`${base}/healthz`); // within the drain delay
      assertEquals([draining.status, await draining.text()], [
        503,
        "draining\n",
      ]);
    });
    assert(text.endsWith("\n\n"), text);
    assertEquals((await closed).code, 1001);
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stderr);
    assertStringIncludes(exit.stdout, "received SIGTERM: draining");
  },
});
