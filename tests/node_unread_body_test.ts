// A handler that answers without reading the request body (examples/server.ts's `POST /`)
// must leave the keep-alive connection able to serve the next request, on Node as on Deno
// and Bun. Behind HAProxy, which reuses server connections for other clients, a stuck one
// swallowed their GETs for Node's 5 s keep-alive timeout and then closed their connections
// (the wrk read errors of the "node fleet behind HAProxy" load row).
import { assertEquals, assertStringIncludes } from "@std/assert";
import { Child } from "./_child.ts";
import { requireRuntime, ROOT } from "./_runtime.ts";

const NODE = requireRuntime("node");
const BODY = 256 * 1024;
const FIRST = 16 * 1024; // sent before the answer; the rest after it

/** Reads one response (headers and a `content-length` body) within `ms`, or throws. */
async function readResponse(conn: Deno.Conn, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  const buffer = new Uint8Array(65_536);
  let text = "";
  while (true) {
    const end = text.indexOf("\r\n\r\n");
    const length = /content-length: (\d+)/i.exec(text)?.[1];
    if (end >= 0 && length !== undefined) {
      if (text.length >= end + 4 + Number(length)) return text;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no whole response in ${ms} ms: ${text}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = await Promise.race([
      conn.read(buffer),
      new Promise<"late">((r) => timer = setTimeout(() => r("late"), left)),
    ]).finally(() => clearTimeout(timer));
    if (read === "late") continue;
    if (read === null) throw new Error(`closed after ${JSON.stringify(text)}`);
    text += new TextDecoder().decode(buffer.subarray(0, read));
  }
}

Deno.test({
  name:
    "serve() on Node: a response sent without reading the body leaves the keep-alive connection serving the next request",
  ignore: NODE === undefined,
  fn: async () => {
    await using child = Child.start([
      NODE!,
      `${ROOT}tests/fixtures/http/node_bridge.ts`,
    ]);
    const line = await child.waitFor(/^listening on \d+/);
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: Number(line.split(" ").at(-1)),
    });
    try {
      const encode = (text: string) => new TextEncoder().encode(text);
      await conn.write(encode(
        `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY}\r\n\r\n`,
      ));
      await conn.write(new Uint8Array(FIRST).fill(120));
      const first = await readResponse(conn, 10_000);
      assertStringIncludes(first, "POST /x null\n"); // answered, body unread
      assertStringIncludes(first.toLowerCase(), "connection: keep-alive");
      // The rest of the body, then the next request on the same connection: Node's keep-
      // alive timeout is 5 s, so an answer within 4 s is the server's, not a timeout's.
      await conn.write(new Uint8Array(BODY - FIRST).fill(120));
      await conn.write(encode("GET /y HTTP/1.1\r\nHost: x\r\n\r\n"));
      const second = await readResponse(conn, 4_000);
      assertEquals(second.split("\r\n")[0], "HTTP/1.1 200 OK");
      assertStringIncludes(second, "GET /y null\n");
    } finally {
      conn.close();
    }
    child.kill("SIGTERM");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stderr);
  },
});
