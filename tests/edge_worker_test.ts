// examples/edge_worker.ts for real: on `workerd` from npm (examples/package.json, installed
// when missing) with the job handed to ctx.waitUntil, and as the same module under
// `deno serve` and Bun's default export with a SIGTERM in the middle of the load. A
// collector on 127.0.0.1 counts the jobs that completed: every job of an answered request
// must arrive.
import { assert, assertEquals } from "@std/assert";
import { Child } from "./_child.ts";
import { findRuntime, IN_CI, requireRuntime, ROOT } from "./_runtime.ts";
import { freePort } from "./_free_port.ts";

const EXAMPLE = `${ROOT}examples/edge_worker.ts`;
const WORKERD = `${ROOT}examples/node_modules/.bin/workerd`;

/** A server on 127.0.0.1 that records the body of every POST. */
function collector(): AsyncDisposable & { url: string; ids: Set<string> } {
  const ids = new Set<string>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      ids.add(await request.text());
      return new Response("ok");
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    ids,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function run(cmd: string[], what: string): Promise<void> {
  const out = await new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`${what} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** workerd from examples/package.json; installed when missing (always in CI). */
async function ensureWorkerd(): Promise<string | undefined> {
  try {
    await Deno.stat(WORKERD);
    return WORKERD;
  } catch {
    // A fresh clone: install the examples' packages below.
  }
  try {
    await run([
      "npm",
      "install",
      "--prefix",
      "examples",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
    ], "npm install --prefix examples");
  } catch (error) {
    if (IN_CI) throw error;
    return undefined;
  }
  return WORKERD;
}

/** Waits until something listens on `port` (bounded). */
async function listening(port: number, child: Child): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nothing listens on ${port}: ${child.stderr}`);
}

/** Waits (bounded) until the collector has every id in `ids`; returns the missing ones. */
async function missing(
  ids: string[],
  seen: Set<string>,
  ms: number,
): Promise<string[]> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (ids.every((id) => seen.has(id))) return [];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return ids.filter((id) => !seen.has(id));
}

/** One job request; the id when the server accepted it, `undefined` when it did not. */
async function job(
  port: number,
  id: string,
  collectorUrl: string,
  delay: number,
): Promise<string | undefined> {
  const url = `http://127.0.0.1:${port}/?id=${id}&delay=${delay}&collector=${
    encodeURIComponent(collectorUrl)
  }`;
  try {
    const response = await fetch(url);
    const text = await response.text();
    return response.status === 200 && text === `accepted ${id}\n`
      ? id
      : undefined;
  } catch {
    return undefined; // refused or reset: never accepted, so nothing to lose
  }
}

Deno.test("edge_worker on workerd: every job handed to ctx.waitUntil completes after its response", async () => {
  const workerd = await ensureWorkerd();
  if (workerd === undefined) return; // outside CI without npm access
  await run([Deno.execPath(), "task", "build:edge"], "deno task build:edge");
  await using sink = collector();
  const port = freePort();
  await using server = Child.start([
    workerd,
    "serve",
    `${ROOT}examples/edge_worker.capnp`,
    "-s",
    `http=127.0.0.1:${port}`,
  ]);
  await listening(port, server);
  const ids = Array.from({ length: 30 }, (_, i) => `w${i}`);
  const accepted = await Promise.all(
    ids.map((id, i) => job(port, id, sink.url, 50 + (i % 6) * 50)),
  );
  assertEquals(accepted, ids, server.stderr);
  assertEquals(await missing(ids, sink.ids, 10_000), [], server.stderr);
});

Deno.test("edge on workerd: a job past its limit is named in workerd's log, one within it is not", async () => {
  const workerd = await ensureWorkerd();
  if (workerd === undefined) return; // outside CI without npm access
  const dir = await Deno.makeTempDir({ prefix: "quiesce-edge-" });
  try {
    await run([
      Deno.execPath(),
      "bundle",
      "--platform",
      "browser",
      "--output",
      `${dir}/capped_worker.js`,
      `${ROOT}tests/fixtures/edge/capped_worker.ts`,
    ], "deno bundle");
    // The example's config, pointed at this bundle.
    const config =
      (await Deno.readTextFile(`${ROOT}examples/edge_worker.capnp`))
        .replace('embed "edge_worker.js"', 'embed "capped_worker.js"');
    await Deno.writeTextFile(`${dir}/capped.capnp`, config);
    const port = freePort();
    await using server = Child.start([
      workerd,
      "serve",
      "--verbose",
      `${dir}/capped.capnp`,
      "-s",
      `http=127.0.0.1:${port}`,
    ]);
    await listening(port, server);
    for (const ms of [50, 5_000]) {
      const response = await fetch(`http://127.0.0.1:${port}/?ms=${ms}`);
      assertEquals(await response.text(), "accepted\n");
    }
    // workerd prints a Worker's console output with --verbose (on either stream).
    const line = await Promise.any(
      (["stderr", "stdout"] as const).map((stream) =>
        server.waitFor("cut at the", { stream, timeout: 10_000 })
      ),
    );
    assertEquals(
      line.trim().replace(/^.*quiesce: /, ""),
      'background work "job 5000 ms" cut at the 300 ms limit of waitUntil',
    );
    assertEquals((server.stderr + server.stdout).includes("job 50 ms"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const SELF_HOSTED: Array<[string, string[] | undefined, boolean]> = [
  [
    "deno serve",
    [findRuntime("deno")!, "serve", "-A", "--host", "127.0.0.1", "--port"],
    true,
  ],
  [
    "bun (default export)",
    (() => {
      const bun = requireRuntime("bun");
      return bun === undefined ? undefined : [bun, EXAMPLE];
    })(),
    false,
  ],
];

for (const [label, base, portArgument] of SELF_HOSTED) {
  Deno.test({
    name:
      `edge_worker under ${label}: SIGTERM mid-load, every accepted job completes, exit 143`,
    ignore: base === undefined,
    async fn() {
      await using sink = collector();
      const port = freePort();
      const cmd = portArgument ? [...base!, String(port), EXAMPLE] : base!;
      await using server = Child.start(cmd, { env: { PORT: String(port) } });
      await listening(port, server);
      const accepted: string[] = [];
      let sent = 0;
      let refused = 0;
      const client = async (lane: number) => {
        // Each lane sends until the server stops answering (bounded in count).
        for (let i = 0; i < 400; i++) {
          const id = `${lane}-${i}`;
          sent++;
          const ok = await job(port, id, sink.url, 100 + (i % 5) * 100);
          if (ok === undefined) {
            if (++refused > 20) return;
            await new Promise((resolve) => setTimeout(resolve, 10));
          } else accepted.push(ok);
        }
      };
      const lanes = Promise.all([0, 1, 2, 3].map(client));
      const loading = performance.now();
      while (accepted.length < 40 && performance.now() - loading < 20_000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      server.kill("SIGTERM");
      const exit = await server.exit(15_000);
      await lanes;
      const lost = await missing(accepted, sink.ids, 2_000);
      assertEquals(
        lost,
        [],
        `${accepted.length} accepted of ${sent}: ${exit.stderr}`,
      );
      assert(accepted.length >= 40);
      assertEquals(exit.code, 143, exit.stderr);
    },
  });
}
