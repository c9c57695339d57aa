// Issue 16 item 3: a response begun BEFORE the first signal is in flight until its last
// byte is handed to the client's connection. Raw sockets against tests/fixtures/http/app.ts
// (`serve()`'s defaults) on Deno and Bun: a slow reader of a large byte body gets all of it
// and the report is clean; a reader that stopped is cut and named, never reported clean.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { get, RUNTIMES, runtimeTest, start } from "./_http_app.ts";
import { requireRuntime } from "./_runtime.ts";
import { denoFollow } from "../src/http/_deno_body_size.ts";
import { SLICE } from "../src/http/_body.ts";
import { GracefulShutdown } from "../mod.ts";
import { GracefulHttp } from "../src/http.ts";

const MiB = 1024 * 1024;

/** Reads the head and `bytes` body bytes at about `perSecond`; the head's text and the count. */
async function readPaced(
  conn: Deno.Conn,
  bytes: number,
  perSecond: number,
): Promise<{ head: string; body: number }> {
  const buffer = new Uint8Array(64 * 1024);
  const started = performance.now();
  let text = "", head = "", body = 0;
  for (let i = 0; i < 10_000 && body < bytes; i++) {
    const n = await conn.read(buffer);
    if (n === null) break;
    if (head === "") {
      text += new TextDecoder().decode(buffer.subarray(0, n));
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        head = text.slice(0, end);
        body = text.length - end - 4; // the body's bytes are ASCII zeros
      }
    } else body += n;
    const due = body / perSecond * 1000 - (performance.now() - started);
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
  }
  return { head, body };
}

Deno.test("Deno: a response is followed before the signal only when Deno would call it sent too early (more than 64 KiB from memory, or a stream), with its byte length when known", () => {
  assert(denoFollow !== undefined, "Deno 2.9's internals were not found");
  assertEquals(denoFollow(new Response("hello")), undefined);
  assertEquals(denoFollow(new Response(new Uint8Array(SLICE))), undefined);
  assertEquals(denoFollow(new Response(null, { status: 204 })), undefined);
  assertEquals(denoFollow(Response.json({ a: 1 })), undefined);
  assertEquals(denoFollow(new Response(new Uint8Array(SLICE + 1))), SLICE + 1);
  assertEquals(
    denoFollow(new Response(new Uint8Array(2 * SLICE).buffer)),
    2 * SLICE,
  );
  // A string: its UTF-8 length, learned only when it may pass SLICE.
  assertEquals(denoFollow(new Response("x".repeat(SLICE))), undefined);
  assertEquals(denoFollow(new Response("x".repeat(SLICE + 1))), SLICE + 1);
  assertEquals(
    denoFollow(
      new Response("é".repeat(SLICE / 2 + 1), { headers: { a: "b" } }),
    ),
    SLICE + 2,
  );
  assertEquals(denoFollow(new Response(new ReadableStream())), -1);
  assertEquals(denoFollow(new Response(new Blob(["x"]))), -1);
});

Deno.test("Deno: a followed body before the signal reaches the client whole with its content-length (bytes, a long string)", async () => {
  const shutdown = new GracefulShutdown({ signals: false, onProgress: false });
  const bodies: Record<string, () => BodyInit> = {
    "/bytes": () => new Uint8Array(2 * SLICE).fill(0x61),
    "/text": () => "é".repeat(SLICE),
  };
  const http = new GracefulHttp(shutdown, (request) => {
    return new Response(bodies[new URL(request.url).pathname]!());
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    http.fetch,
  );
  http.attach({ stop: () => server.shutdown() });
  try {
    for (const path of Object.keys(bodies)) {
      const response = await fetch(
        `http://127.0.0.1:${server.addr.port}${path}`,
      );
      const body = new Uint8Array(await response.arrayBuffer());
      assertEquals(body.byteLength, 2 * SLICE, path);
      assertEquals(response.headers.get("content-length"), String(2 * SLICE));
    }
  } finally {
    await shutdown.shutdown();
  }
});

for (
  const [runtime, binary] of [
    ...RUNTIMES,
    ["node", requireRuntime("node")] as const,
  ]
) {
  const test = runtimeTest("begun before the signal", runtime, binary);

  // 32 MiB: more than loopback's socket buffers hold, so a cut shows.
  test("a slow reader of a 32 MiB byte body gets all of it (with its content-length), the report is ok, exit 143", async (bin) => {
    const { child, port } = await start(runtime, bin, { TIMEOUT_MS: "10000" });
    await using _ = child;
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(get(`/big?ms=${32 * MiB}`));
    const reading = readPaced(conn, 32 * MiB, 12 * MiB); // about 2.7 s
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGTERM");
    const { head, body } = await reading;
    const exit = await child.exit();
    assertEquals(body, 32 * MiB, `${head}\n${exit.stdout}${exit.stderr}`);
    assertMatch(head, /^content-length: 33554432$/im);
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assertMatch(exit.stdout, /^report: ok=true timedOut=false/m);
  });

  /** Starts the app, asks for /big, reads 64 KiB and stops reading; then SIGTERM. */
  const stalled = async (bin: string, deadline: number) => {
    const { child, port } = await start(runtime, bin, {
      TIMEOUT_MS: String(deadline),
    });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(get("/big"));
    assert((await conn.read(new Uint8Array(64 * 1024))) !== null);
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGTERM");
    return { child, conn };
  };

  {
    test("a reader that stopped is cut after about stallTimeout (5 s) and named as a failure, long before the deadline", async (bin) => {
      // Deno follows the body: cut when the runtime has not asked for more for 5 s. Bun
      // does not: `server.timeout(request, 5)` at the signal, and Bun closes the
      // connection once idle that long, on its 4 s timer ticks. Node: cut when what waits
      // to be written has not shrunk for 5 s.
      const { child, conn } = await stalled(bin, 20_000);
      await using _ = child;
      using _conn = conn;
      const exit = await child.exit(); // the client reads nothing more
      assertEquals(exit.code, 1, exit.stdout + exit.stderr);
      assertMatch(exit.stdout, /^report: ok=false timedOut=false/m);
      assertMatch(
        exit.stdout,
        runtime === "deno"
          ? /^failure: GET \/big: GET \/big: the response body was cut: the client stopped reading for 5000 ms$/m
          : runtime === "node"
          ? /^failure: GET \/big: GET \/big: the response was not sent whole: the client stopped reading for 5000 ms$/m
          : /^failure: http server: GET \/big: the response begun before the first signal was not sent whole: its connection closed \(the client read nothing for about 5000 ms, or left\)$/m,
      );
      // Counted as a stall where the runtime tells one (Bun cannot tell it from a client
      // that left: named, not counted).
      const counts = JSON.parse(/^counts: (.*)$/m.exec(exit.stdout)![1]!);
      assertEquals(
        counts["http server: stalled responses cut"],
        runtime === "bun" ? undefined : 1,
        exit.stdout,
      );
      assert(exit.ms < 14_000, `took ${exit.ms} ms`);
    });
  }

  if (runtime === "node") {
    test("a reader slower than stallTimeout is not cut: 32 MiB at 4 MiB/s, all of it, exit 143", async (bin) => {
      // Node writes the body as one 32 MiB chunk: `writableLength` stays put until all of
      // it is out, so the stall bound must watch the handle's queue instead.
      const { child, port } = await start(runtime, bin, {
        TIMEOUT_MS: "20000",
      });
      await using _ = child;
      using conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(get(`/big?ms=${32 * MiB}`));
      const reading = readPaced(conn, 32 * MiB, 4 * MiB); // about 8 s
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill("SIGTERM");
      const { head, body } = await reading;
      const exit = await child.exit();
      assertEquals(body, 32 * MiB, `${head}\n${exit.stdout}${exit.stderr}`);
      assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    });
  }

  if (runtime !== "deno") {
    test("a reader that stopped holds the drain to a deadline shorter than stallTimeout, which cuts it and names it", async (bin) => {
      // Bun: `pendingRequests` holds the listener's close until the deadline's
      // `stop(true)`, which aborts the request's signal. Node says when the response was
      // written: in flight (a task) until the deadline.
      const deadline = 3_000;
      const { child, conn } = await stalled(bin, deadline);
      await using _ = child;
      using _conn = conn;
      const exit = await child.exit();
      assertEquals(exit.code, 1, exit.stdout + exit.stderr);
      assertMatch(
        exit.stdout,
        runtime === "node"
          ? /^report: ok=false timedOut=true stragglers=GET \/big,http server$/m
          : /^failure: http server: GET \/big: the response was cut at the deadline: begun before the first signal, it was still being sent$/m,
      );
      assert(exit.ms < deadline + 2_000, `took ${exit.ms} ms`);
    });
  }
}
