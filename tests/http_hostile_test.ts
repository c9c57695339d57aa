// Issue 16 item 4: slow and hostile clients cannot hold the drain, with the defaults. Raw
// sockets against tests/fixtures/http/app.ts on Deno and Bun: a client that stopped
// reading a large response (cut after `stallTimeout`, named, counted). Half a request line
// and a silent connection (a clean, quick exit, counted): tests/http_closed_count_test.ts.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { get, RUNTIMES, runtimeTest, start } from "./_http_app.ts";

for (const [runtime, binary] of RUNTIMES) {
  const test = runtimeTest("hostile clients", runtime, binary);

  test("a client that stopped reading a large response is cut after stallTimeout (5 s), named as a failure, long before the deadline", async (bin) => {
    const { child, port } = await start(runtime, bin, {
      DRAIN_DELAY_MS: "200",
      TIMEOUT_MS: "20000",
    });
    await using _ = child;
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM");
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(get("/big"));
    assert((await conn.read(new Uint8Array(64 * 1024))) !== null);
    const exit = await child.exit(); // the client reads nothing more
    assertEquals(exit.code, 1, exit.stdout + exit.stderr);
    assertMatch(exit.stdout, /^report: ok=false timedOut=false/m);
    assertMatch(
      exit.stdout,
      /^failure: GET \/big: GET \/big: the response body was cut: the client stopped reading for 5000 ms$/m,
    );
    // Counted too (and nothing else: its connection carried a request).
    assertMatch(
      exit.stdout,
      /^counts: \{"http server: stalled responses cut":1\}$/m,
    );
    assert(exit.ms < 10_000, `took ${exit.ms} ms`);
  });
}
