// Issue 16 item 4: the connections a drain closes that carry no request are counted in the
// report (`ShutdownReport.counts`, and main()'s `counted:` line), with serve()'s defaults.
// Raw sockets against tests/fixtures/http/app.ts, a real server in a real process on each
// runtime, ended by a real SIGTERM. Node tells the kinds apart; Deno and Bun count them
// from /proc as one kind (the fixture runs with --allow-all on Deno); Bun never accepts a
// connection that sent nothing (TCP_DEFER_ACCEPT), so it has nothing of it to close.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { get, readResponse, runtimeTest, start } from "./_http_app.ts";
import {
  commandFor,
  requireRuntime,
  ROOT,
  type RuntimeName,
} from "./_runtime.ts";
import { Child } from "./_child.ts";
import { freePort } from "./_free_port.ts";

const RUNTIMES = [
  ["deno", requireRuntime("deno")],
  ["bun", requireRuntime("bun")],
  ["node", requireRuntime("node")],
] as const;

const KEY = "http server: ";
const UNSORTED = `${KEY}connections closed carrying no request`;

/** What each runtime reports for one idle keep-alive, one half request, one silent client. */
const EXPECTED: Record<RuntimeName, Record<string, number>> = {
  deno: { [UNSORTED]: 3 },
  bun: { [UNSORTED]: 2 },
  node: {
    [`${KEY}idle connections closed`]: 1,
    [`${KEY}incomplete requests closed`]: 1,
    [`${KEY}silent connections closed`]: 1,
  },
};

function countsOf(stdout: string): Record<string, number> {
  const line = /^counts: (.*)$/m.exec(stdout)?.[1];
  assert(line !== undefined, stdout);
  return JSON.parse(line);
}

/** Opens a keep-alive connection that got one answer and then sends nothing. */
async function idleConnection(port: number): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(get("/"));
  const response = await readResponse(conn);
  assertMatch(response.head, /^HTTP\/1.1 200/);
  return conn;
}

for (const [runtime, binary] of RUNTIMES) {
  const test = runtimeTest("closed connections", runtime, binary);

  test("an idle keep-alive connection, half a request and a silent client are counted, the report stays ok, exit 143", async (bin) => {
    const { child, port } = await start(runtime, bin, { TIMEOUT_MS: "8000" });
    await using _ = child;
    using _idle = await idleConnection(port);
    using half = await Deno.connect({ hostname: "127.0.0.1", port });
    await half.write(new TextEncoder().encode("GET /sl"));
    using _silent = await Deno.connect({ hostname: "127.0.0.1", port });
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assertMatch(exit.stdout, /^report: ok=true timedOut=false/m);
    // They do not hold the drain: 500 ms linger + 1000 ms idleGrace, with room for a
    // loaded machine; the deadline is 8 s.
    assert(exit.ms < 4_000, `took ${exit.ms} ms`);
    assertEquals(countsOf(exit.stdout), EXPECTED[runtime]);
    // main()'s own line says the same.
    const counted = Object.entries(EXPECTED[runtime])
      .map(([what, n]) => `${what} = ${n}`).join("; ");
    assert(exit.stderr.includes(`quiesce: counted: ${counted}\n`), exit.stderr);
  });

  test("a connection with a request in flight is not counted, the idle one beside it is", async (bin) => {
    const { child, port } = await start(runtime, bin, { TIMEOUT_MS: "8000" });
    await using _ = child;
    using _idle = await idleConnection(port);
    using busy = await Deno.connect({ hostname: "127.0.0.1", port });
    await busy.write(get("/slow?ms=1500"));
    await child.waitFor(/^slow: started/);
    child.kill("SIGTERM");
    const response = await readResponse(busy);
    assertMatch(response.body, /slow done\n/); // chunked on Deno and Node
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assertEquals(
      countsOf(exit.stdout),
      runtime === "node"
        ? { [`${KEY}idle connections closed`]: 1 }
        : { [UNSORTED]: 1 },
    );
  });

  test("nothing to close: a client that hangs up itself leaves the counts empty, and main() logs no counted line", async (bin) => {
    const { child, port } = await start(runtime, bin, { TIMEOUT_MS: "8000" });
    await using _ = child;
    const conn = await idleConnection(port);
    conn.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assertEquals(countsOf(exit.stdout), {});
    assert(!exit.stderr.includes("counted:"), exit.stderr);
  });
}

for (const [runtime, binary] of RUNTIMES.slice(0, 2)) {
  Deno.test({
    name:
      `closed connections on ${runtime}: an open WebSocket is not counted, even one whose client never answers the 1001`,
    ignore: binary === undefined,
    fn: async () => {
      const { child, port } = await start(runtime, binary!, {
        TIMEOUT_MS: "8000",
      });
      await using _ = child;
      // A raw client: the upgrade handshake, then it reads nothing and answers nothing,
      // so its connection is still open when the listener stops.
      using ws = await Deno.connect({ hostname: "127.0.0.1", port });
      await ws.write(
        new TextEncoder().encode(
          `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
            `Sec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
      const head = new TextDecoder().decode(
        (await readSome(ws)) ?? new Uint8Array(),
      );
      assertMatch(head, /^HTTP\/1.1 101/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      using _idle = await idleConnection(port);
      child.kill("SIGTERM");
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stdout + exit.stderr);
      assertEquals(countsOf(exit.stdout), { [UNSORTED]: 1 }); // the idle one only
    },
  });
}

async function readSome(conn: Deno.Conn): Promise<Uint8Array | undefined> {
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  return n === null ? undefined : buffer.subarray(0, n);
}

for (const [runtime, binary] of RUNTIMES.slice(0, 2)) {
  for (const withPort of [true, false]) {
    Deno.test({
      name:
        `closed connections on ${runtime}: a server attached by hand is counted ${
          withPort ? "with the listener's port" : "not at all without it"
        }`,
      ignore: binary === undefined,
      fn: async () => {
        const script = `${ROOT}tests/fixtures/http/attach_port.ts`;
        await using child = Child.start(commandFor(runtime, binary!, script), {
          env: withPort ? {} : { NO_PORT: "1" },
        });
        const exit = await child.exit();
        assertEquals(exit.code, 0, exit.stdout + exit.stderr);
        assertEquals(JSON.parse(exit.lines.at(-1)!), {
          ok: true,
          counts: withPort ? { [UNSORTED]: 1 } : {},
        });
      },
    });
  }
}

/** What attachNodeServer() counts on each runtime's node:http. */
const NODE_HTTP: Record<RuntimeName, Record<string, number>> = {
  node: EXPECTED.node,
  deno: EXPECTED.node, // Deno's node:http tells the bytes read, as Node does
  bun: { [UNSORTED]: 2 }, // Bun's says 0 bytes read for all; the silent one never accepted
};

for (const [runtime, binary] of RUNTIMES) {
  Deno.test({
    name:
      `closed connections on ${runtime}'s node:http: attachNodeServer() counts the idle, half and silent clients`,
    ignore: binary === undefined,
    fn: async () => {
      const script = `${ROOT}tests/fixtures/http/node_attach_counts.ts`;
      await using child = Child.start(commandFor(runtime, binary!, script));
      const exit = await child.exit();
      assertEquals(exit.code, 0, exit.stdout + exit.stderr);
      assertEquals(JSON.parse(exit.lines.at(-1)!), {
        ok: true,
        counts: NODE_HTTP[runtime],
      });
    },
  });
}

Deno.test({
  name:
    "closed connections on bun's export default (examples/default_export.ts): the runtime's own server is counted",
  ignore: RUNTIMES[1][1] === undefined,
  fn: async () => {
    const port = freePort();
    await using child = Child.start(
      commandFor("bun", RUNTIMES[1][1]!, `${ROOT}examples/default_export.ts`),
      { env: { PORT: String(port) } },
    );
    await child.waitFor(/^ready$/);
    // Bun's server arrives with the first request: this one, answered, then idle.
    let idle: Deno.Conn | undefined;
    for (let i = 0; i < 100 && idle === undefined; i++) {
      idle = await idleConnection(port).catch(() => undefined);
      if (idle === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    using _idle = idle!;
    using half = await Deno.connect({ hostname: "127.0.0.1", port });
    await half.write(new TextEncoder().encode("GET /sl"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assert(
      exit.stderr.includes(`quiesce: counted: ${UNSORTED} = 2\n`),
      exit.stderr,
    );
  },
});
