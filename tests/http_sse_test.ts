// Issue 16 item 5: `sse()` backpressure with real clients on Deno and Bun. A client that
// stops reading: `send()` says so, a producer that ignores it is cut at `maxBuffer` (1 MiB by
// default) and named; a producer that waits on `send.ready()` resumes when the client reads
// again, and the stream still ends with the final event at the drain.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { get, RUNTIMES, runtimeTest, start } from "./_http_app.ts";

/** Reads `conn` to EOF or the end of a chunked body; never puts the body in an error. */
async function readToEnd(conn: Deno.Conn): Promise<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(64 * 1024);
  let text = "";
  for (let i = 0; i < 10_000 && !text.endsWith("0\r\n\r\n"); i++) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) return text;
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return text;
}

for (const [runtime, binary] of RUNTIMES) {
  const test = runtimeTest("sse backpressure", runtime, binary);

  test("a client that stopped reading: send() returns false, a producer ignoring it is cut past 1 MiB, its signal aborts, onError names GET /sse-flood", async (bin) => {
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(get("/sse-flood"));
    assert((await conn.read(new Uint8Array(1024))) !== null); // then stops reading
    const told = await child.waitFor(
      /^sse-flood: told to wait after \d+ events$/,
    );
    await child.waitFor(/^sse-flood: producer stopped after \d+ events$/, {
      timeout: 10_000,
    });
    // 4 KiB events: told near the 64 KiB mark (plus what the socket buffers took).
    assert(Number(told.split(" ")[5]) >= 16, told);
    await child.waitFor("GET /sse-flood failed", {
      stream: "stderr",
      timeout: 5_000,
    });
    assertMatch(child.stderr, /more than 1048576 bytes of events waited/);
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
  });

  test("a producer that waits on send.ready() resumes when the client reads again; the drain ends it with the final event", async (bin) => {
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(get("/sse-flood?respect=1"));
    assert((await conn.read(new Uint8Array(1024))) !== null);
    await child.waitFor(/^sse-flood: told to wait after \d+ events$/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert(!child.stderr.includes("failed"), child.stderr);
    child.kill("SIGTERM");
    const text = await readToEnd(conn);
    assert(
      text.endsWith(
        "event: shutdown\ndata: server shutting down\n\n\r\n0\r\n\r\n",
      ),
      JSON.stringify(text.slice(-120)),
    );
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assertMatch(exit.stdout, /^report: ok=true/m);
  });
}
