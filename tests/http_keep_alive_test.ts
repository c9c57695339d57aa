// Issue 16 item 6: with serve()'s defaults (drainDelay 0, the default linger), pooled
// keep-alive clients connected before SIGTERM see no EOF or reset: every connection ends
// with a response that says `Connection: close`. Raw sockets, so nothing retries quietly.
import { assertEquals } from "@std/assert";
import { get, readResponse, RUNTIMES, start } from "./_http_app.ts";

const CONNECTIONS = 50;

/**
 * One pooled client: requests on its connection every few ms until a response says
 * `Connection: close` ("closed") or the connection breaks ("error: …"); bounded in count.
 */
async function pooledClient(port: number, pauseMs: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    for (let i = 0; i < 2_000; i++) {
      await conn.write(get("/"));
      const { head } = await readResponse(conn);
      if (!/^HTTP\/1.1 200/.test(head)) {
        return `error: ${head.split("\r\n")[0]}`;
      }
      if (/^connection: close$/im.test(head)) return "closed";
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return "error: never told to close";
  } catch (error) {
    return `error: ${(error as Error).message.slice(0, 60)}`;
  } finally {
    conn.close();
  }
}

for (const [runtime, binary] of RUNTIMES) {
  Deno.test({
    name:
      `keep-alive on ${runtime} with serve()'s defaults: ${CONNECTIONS} pooled connections opened before SIGTERM, 0 EOF or reset`,
    ignore: binary === undefined,
    fn: async () => {
      const { child, port } = await start(runtime, binary!);
      await using _ = child;
      const clients: Promise<string>[] = [];
      for (let i = 0; i < CONNECTIONS; i++) {
        clients.push(pooledClient(port, 5 + (i % 10) * 5));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill("SIGTERM");
      const ends = await Promise.all(clients);
      const errors = ends.filter((end) => end !== "closed");
      assertEquals(errors, [], `${errors.length} of ${CONNECTIONS} failed`);
      const exit = await child.exit();
      assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    },
  });
}
