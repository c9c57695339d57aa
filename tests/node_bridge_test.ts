// The node:http bridge of serve() on Node (src/http/_node_fetch.ts), in a real `node`
// process: what a fetch handler's Response becomes on the wire, and what the Request holds.
import { assertEquals, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import { requireRuntime, ROOT } from "./_runtime.ts";

const NODE = requireRuntime("node");

Deno.test({
  name:
    "serve() on Node: requestScope with the client's address, headers both ways, two set-cookie fields, statusText, HEAD, 204, a 1 MiB upload echoed, a throwing handler answered 500",
  ignore: NODE === undefined,
  fn: async () => {
    await using child = Child.start([
      NODE!,
      `${ROOT}tests/fixtures/http/node_bridge.ts`,
    ]);
    const line = await child.waitFor(/^listening on \d+/);
    const base = `http://127.0.0.1:${line.split(" ").at(-1)}`;

    // requestScope(request) reaches the scope on Node too, with the client's address as
    // the client's own socket sees it.
    {
      using conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: Number(new URL(base).port),
      });
      const local = conn.localAddr as Deno.NetAddr;
      await conn.write(
        new TextEncoder().encode(
          "GET /remote HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ),
      );
      const answer = new TextDecoder().decode(
        await new Response(conn.readable).arrayBuffer(),
      );
      assertStringIncludes(
        answer,
        `GET /remote from 127.0.0.1:${local.port}\n`,
      );
    }

    const plain = await fetch(`${base}/x`, { headers: { "x-test": "yes" } });
    assertEquals(await plain.text(), "GET /x yes\n");
    assertEquals(plain.headers.get("content-length"), "11"); // sized, not chunked

    const cookies = await fetch(`${base}/cookies`);
    assertEquals(cookies.headers.getSetCookie(), ["a=1", "b=2"]);
    await cookies.body?.cancel();
    // The reason phrase, on the wire (Deno's fetch reports the canonical one).
    using conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: Number(new URL(base).port),
    });
    await conn.write(
      new TextEncoder().encode(
        "GET /cookies HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      ),
    );
    const raw = new TextDecoder().decode(
      await new Response(conn.readable).arrayBuffer(),
    );
    assertStringIncludes(raw, "HTTP/1.1 200 Fine\r\n");

    const head = await fetch(`${base}/x`, { method: "HEAD" });
    assertEquals([head.status, await head.text()], [200, ""]);

    const empty = await fetch(`${base}/empty`);
    assertEquals([empty.status, await empty.text()], [204, ""]);

    const upload = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    const echoed = await fetch(`${base}/echo`, {
      method: "POST",
      body: new Blob([upload]).stream(),
    });
    assertEquals(echoed.headers.get("x-bytes"), String(upload.byteLength));
    assertEquals(new Uint8Array(await echoed.arrayBuffer()), upload);

    const thrown = await fetch(`${base}/throw`);
    assertEquals(thrown.status, 500);
    await thrown.body?.cancel();

    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stderr);
    assertStringIncludes(exit.stderr, "handler failed on purpose");
  },
});
