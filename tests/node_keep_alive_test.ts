// serve() on Node and keep-alive connections at shutdown, with examples/node_server.ts in a
// real `node` process and raw-socket clients. Node's own `server.close()` destroys every
// idle keep-alive connection at once; a client that just got a keep-alive response and is
// sending its next request on it loses that request (measured: 50 of 50 back-to-back
// clients reset, 6 runs of 6, with DRAIN_DELAY_MS=0). quiesce leaves a connection open
// until no keep-alive response has gone out for 1 s, and every response from the signal
// on says `Connection: close`.
import { assertEquals, assertLess } from "@std/assert";
import { idleClients } from "./load/_clients.ts";
import { Child } from "./_child.ts";
import { requireRuntime, ROOT } from "./_runtime.ts";

const SERVER = `${ROOT}examples/node_server.ts`;
const NODE = requireRuntime("node");

async function start(env: Record<string, string> = {}) {
  const child = Child.start([NODE!, SERVER], { env: { PORT: "0", ...env } });
  const line = await child.waitFor(/^listening on /);
  return { child, port: Number(/:(\d+)\//.exec(line)![1]) };
}

const REQUEST = new TextEncoder().encode(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
);

/**
 * `count` connections, each sending requests back to back until a response says
 * `Connection: close`. `served` resolves once each has had one response (so all were
 * accepted: connections still in the listen queue when the listener closes are reset,
 * which only a balancer in front avoids); `done` lists what went wrong.
 */
async function backToBack(port: number, count: number) {
  const conns = await Promise.all(
    Array.from(
      { length: count },
      () => Deno.connect({ hostname: "127.0.0.1", port }),
    ),
  );
  const served = Promise.withResolvers<void>();
  let first = 0;
  let told = 0;
  const errors: string[] = [];
  const done = Promise.all(conns.map(async (conn) => {
    const buffer = new Uint8Array(4096);
    try {
      for (let n = 1; n <= 100_000; n++) {
        await conn.write(REQUEST);
        let text = "";
        while (!/\r\n\r\n[\s\S]*\n$/.test(text)) {
          const read = await conn.read(buffer);
          if (read === null) throw new Error(`EOF instead of response ${n}`);
          text += new TextDecoder().decode(buffer.subarray(0, read));
        }
        if (n === 1 && ++first === count) served.resolve();
        if (/^connection: close$/im.test(text)) return void told++;
      }
      errors.push("never told to close");
    } catch (error) {
      errors.push(String(error));
    } finally {
      conn.close();
    }
  })).then(() => ({ errors, told }));
  return { served: served.promise, done };
}

Deno.test({
  name:
    "node serve(): 50 back-to-back keep-alive clients at SIGTERM (no drain delay) lose no request; each is told to close",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, port } = await start({ DRAIN_DELAY_MS: "0" });
    await using _ = child;
    const clients = await backToBack(port, 50);
    await clients.served;
    child.kill("SIGTERM");
    assertEquals(await clients.done, { errors: [], told: 50 });
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stderr);
  },
});

Deno.test({
  name:
    "node serve(): idle keep-alive connections are closed cleanly (FIN, no reset) at the stop, not after Node's 5 s keep-alive timeout",
  ignore: NODE === undefined,
  fn: async () => {
    const { child, port } = await start();
    await using _ = child;
    const idle = await idleClients(port, 20, true);
    await idle.ready;
    // Quiet for longer than the 1 s the stop waits for: they are closed at once.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    child.kill("SIGTERM");
    const [outcome, exit] = await Promise.all([
      idle.ended(8_000),
      child.exit(),
    ]);
    assertEquals(outcome, { clean: 20, resets: 0, other: [] });
    assertEquals(exit.code, 143, exit.stderr);
    assertLess(exit.ms, 4_000); // Node's keepAliveTimeout would have taken 5 s
  },
});
