// `./http` on real servers: tests/fixtures/http/app.ts runs as a child process on Deno
// (Deno.serve), on Bun (Bun.serve) and on Node (node:http), and each test drives it with real clients (fetch,
// raw TCP sockets, WebSockets) and real signals.
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import {
  get,
  readResponse,
  refused,
  RUNTIMES,
  runtimeTest,
  start,
} from "./_http_app.ts";
import { requireRuntime, type RuntimeName } from "./_runtime.ts";

const ALL: Array<[RuntimeName, string | undefined]> = [
  ...RUNTIMES,
  ["node", requireRuntime("node")], // serve() on node:http
];

for (const [runtime, binary] of ALL) {
  // Node has no WebSocket server of its own: scope.upgradeWebSocket() is Deno and Bun only.
  const test = runtimeTest(
    "http",
    runtime,
    binary,
    (name) => runtime === "node" && name.startsWith("WebSockets"),
  );

  test("the escalation in order: 503 and Connection: close at the signal, the listener stops after drainDelay, in-flight requests finish, exit 143", async (bin) => {
    const { child, port } = await start(runtime, bin, {
      DRAIN_DELAY_MS: "800",
    });
    await using _ = child;
    const ready = await fetch(`http://127.0.0.1:${port}/healthz`);
    assertEquals([ready.status, await ready.text()], [200, "ok\n"]);
    // A keep-alive connection opened before the signal, and a request in flight at it.
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(get("/"));
    assertStringIncludes((await readResponse(conn)).head, "200 OK");
    const slow = fetch(`http://127.0.0.1:${port}/slow?ms=1500`);
    await child.waitFor("slow: started GET /slow");
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM");
    // During drainDelay the listener still serves, but readiness fails...
    const draining = await fetch(`http://127.0.0.1:${port}/healthz`);
    assertEquals([draining.status, await draining.text()], [503, "draining\n"]);
    const live = await fetch(`http://127.0.0.1:${port}/livez`);
    assertEquals([live.status, await live.text()], [200, "ok\n"]);
    // ...and every response tells the client to close the connection.
    await conn.write(get("/"));
    const last = await readResponse(conn);
    assertStringIncludes(last.head, "200 OK");
    assertMatch(last.head, /^connection: close$/im);
    // After the delay the listener stops: new connections are refused.
    await child.waitFor("listener: stopping");
    let stopped = false;
    for (let i = 0; i < 50 && !stopped; i++) {
      stopped = await refused(port);
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert(stopped, "the listener still accepts connections after drainDelay");
    // The request in flight at the signal is answered in full.
    const answered = await slow;
    assertEquals([answered.status, await answered.text()], [
      200,
      "slow done\n",
    ]);
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assertStringIncludes(exit.stdout, "report: ok=true timedOut=false");
  });

  test("the deadline names in-flight requests like GET /slow and ends the process with 1", async (bin) => {
    const { child, port } = await start(runtime, bin, { TIMEOUT_MS: "400" });
    await using _ = child;
    const slow = fetch(`http://127.0.0.1:${port}/slow?ms=20000`).then(
      (r) => r.text(),
      (error) => `failed: ${error}`,
    );
    await child.waitFor("slow: started");
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 1, exit.stdout + exit.stderr);
    assertStringIncludes(exit.stdout, "timedOut=true");
    assertMatch(exit.stdout, /stragglers=.*GET \/slow/);
    assertStringIncludes(exit.stderr, "GET /slow (task, running");
    assertStringIncludes(await slow, "failed"); // the connection was closed, not answered
  });

  test("SSE: the final event and a clean end of the body when the listener stops", async (bin) => {
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    const response = await fetch(`http://127.0.0.1:${port}/sse`);
    assertEquals(response.headers.get("content-type"), "text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    while (!text.includes("data: tick 2\n\n")) {
      text += (await reader.read()).value;
    }
    child.kill("SIGTERM");
    while (true) {
      const { done, value } = await reader.read(); // throws if the body is cut
      if (done) break;
      text += value;
    }
    assert(
      text.endsWith("event: shutdown\ndata: server shutting down\n\n"),
      text,
    );
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assert(exit.ms < 3_000, `took ${exit.ms} ms`);
    assertStringIncludes(exit.stdout, "sse: producer saw the listener stop");
  });

  test("a ReadableStream response ends when the listener stops (scope.streamSignal)", async (bin) => {
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    const response = await fetch(`http://127.0.0.1:${port}/stream`);
    const reader = response.body!.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = (await reader.read()).value ?? "";
    child.kill("SIGTERM");
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    assert(text.endsWith("stream end\n"), text);
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
  });

  test("a body that never ends is closed at the deadline and named in the report", async (bin) => {
    const { child, port } = await start(runtime, bin, { TIMEOUT_MS: "500" });
    await using _ = child;
    const response = await fetch(`http://127.0.0.1:${port}/stuck`);
    const reader = response.body!.getReader();
    await reader.read();
    child.kill("SIGTERM");
    const ended = await reader.read().then(
      ({ done }) => done ? "ended" : "more data",
      () => "cut",
    );
    assert(ended !== "more data");
    const exit = await child.exit();
    assertEquals(exit.code, 1, exit.stdout + exit.stderr);
    assertMatch(exit.stdout, /stragglers=.*GET \/stuck/);
    await reader.cancel().catch(() => {});
  });

  test("scope.spawn: work is cancelled when the response is returned", async (bin) => {
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    const response = await fetch(`http://127.0.0.1:${port}/scope?ms=30`);
    assertEquals(await response.text(), "scoped\n");
    await child.waitFor("scope: cancelled: The response was sent");
    const quick = await fetch(`http://127.0.0.1:${port}/scope-quick`);
    assertEquals(await quick.text(), "quick\n");
    await child.waitFor("scope: completed with value");
    child.kill("SIGTERM");
    assertEquals((await child.exit()).code, 143);
  });

  test("scope.untilBodyEnds: work is cancelled only after the body finished streaming", async (bin) => {
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    const response = await fetch(`http://127.0.0.1:${port}/scope-body`);
    assertEquals(await response.text(), "part 1\npart 2\npart 3\npart 4\n");
    const cancelled = await child.waitFor("scope: cancelled");
    assertEquals(cancelled, "scope: cancelled: The response was sent");
    const lines = child.stdout.split("\n");
    assert(
      lines.indexOf("body: finished") < lines.indexOf(cancelled),
      child.stdout,
    );
    child.kill("SIGTERM");
    assertEquals((await child.exit()).code, 143);
  });

  // On Deno only `request.signal` tells of a disconnect while the handler runs, and reading
  // it makes Deno print its legacy-abort notice: the scope does not read it there.
  if (runtime !== "deno") { // Bun and Node: request.signal aborts on disconnect only
    test("scope: a client that disconnects while the handler runs (real socket closed) cancels the scope", async (bin) => {
      const { child, port } = await start(runtime, bin);
      await using _ = child;
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(get("/scope?ms=10000"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      conn.close();
      await child.waitFor("scope: cancelled: The client disconnected", {
        timeout: 5_000,
      });
      await child.waitFor("handler: aborted");
      child.kill("SIGTERM");
      assertEquals((await child.exit()).code, 143);
    });
  }

  test("scope: a client that disconnects during the body cancels the scope, and Deno prints no legacy-abort notice", async (bin) => {
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    // The scope is read (spawn, signal) on a request answered normally first.
    const quick = await fetch(`http://127.0.0.1:${port}/scope?ms=10`);
    assertEquals(await quick.text(), "scoped\n");
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(get("/scope-body?ms=400"));
    const first = new Uint8Array(1024);
    assert((await conn.read(first)) !== null);
    conn.close();
    await child.waitFor("scope: cancelled: The client disconnected", {
      timeout: 5_000,
    });
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assert(!exit.stderr.includes("legacy"), exit.stderr);
  });

  test("WebSockets are closed with 1001 when the listener stops", async (bin) => {
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
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
    child.kill("SIGTERM");
    const event = await closed;
    assertEquals(event.code, 1001);
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    // The handler's own `open` listener ran (Bun opens inside `upgrade()`: the bridge
    // must not fire it before the handler has the socket).
    assertMatch(exit.stdout, /^ws: open$/m);
    // The server's own close event shows the client's reply (Deno: 1005, no code).
    assertMatch(exit.stdout, /^ws: closed \d+$/m);
  });
}
