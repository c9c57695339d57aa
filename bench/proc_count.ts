// What counting a drain's closed connections from /proc costs (./http on Deno and Bun,
// src/http/_proc_connections.ts): N keep-alive connections to a server of this process,
// their clients in this process too (2N sockets in /proc/net/tcp, 2N descriptors to walk:
// the worst case), then the counter's first call (reads /proc/net/tcp{,6} and walks
// /proc/self/fd) and its second (answers from the inodes the first found): the time from
// the call to its answer, and the longest the event loop went without a turn meanwhile
// (a 1 ms interval's largest gap). It runs once or twice per drain, just before the
// listener stops (which waits for it, up to 1 s).
//   deno run -A bench/proc_count.ts [N...]      bun bench/proc_count.ts [N...]
import { readFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { procConnections } from "../src/http/_proc_connections.ts";

const host = globalThis as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const args = host.Deno?.args ?? host.process?.argv.slice(2) ?? [];
const sizes = args.length > 0 ? args.map(Number) : [1_000, 5_000];
const ROUNDS = 5;

async function measure(n: number): Promise<string> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => void accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const clients: Socket[] = [];
  for (let i = 0; i < n; i += 200) {
    await Promise.all(
      Array.from(
        { length: Math.min(200, n - i) },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(port, "127.0.0.1", () => resolve());
            socket.on("error", () => {});
            clients.push(socket);
          }),
      ),
    );
  }
  while (accepted.length < n) await new Promise((r) => setTimeout(r, 10));
  const first: number[] = [];
  const second: number[] = [];
  const stalls: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const known = new Set<string>();
    let last = performance.now();
    let stall = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last);
      last = now;
    }, 1);
    let t = performance.now();
    const found = (await procConnections(port, known))?.length;
    first.push(performance.now() - t);
    t = performance.now();
    await procConnections(port, known);
    second.push(performance.now() - t);
    clearInterval(ticker);
    stalls.push(Math.max(stall, performance.now() - last));
    if (found !== n) throw new Error(`found ${found} of ${n} connections`);
  }
  const lines = readFileSync("/proc/net/tcp", "latin1").split("\n").length - 2;
  for (const socket of [...clients, ...accepted]) socket.destroy();
  server.close();
  const median = (list: number[]) =>
    list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!.toFixed(1);
  return `${n} connections: first call ${median(first)} ms, again ${
    median(second)
  } ms, longest event-loop stall ${
    median(stalls)
  } ms (medians of ${ROUNDS}; ${lines} sockets in /proc/net/tcp)`;
}

const runtime = host.Deno ? "deno" : "bun";
for (const n of sizes) {
  console.log(`${runtime} proc_count: ${await measure(n)}`);
}
