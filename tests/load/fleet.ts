// Issue 16 item 10: a fleet restarts without a client noticing. Three replicas of
// examples/server.ts behind HAProxy, nginx and Caddy from Debian, each configured by its
// recipe in examples/balancers/ (the files the README prints; only the ports change),
// with keep-alive GETs (wrk), uploads (curl) and SSE clients (curl) through the balancer
// while the replicas restart one by one with SIGTERM.
import type { Checks, Scenario } from "./_scenario.ts";
import {
  curl,
  freePort,
  randomFile,
  ROOT,
  type Runtime,
  RUNTIMES,
  Server,
  sleep,
  startWrk,
  which,
  type WrkResult,
} from "./_tools.ts";

const RECIPES = `${ROOT}examples/balancers/`;
const UPLOAD_BYTES = 256 * 1024;

/** A balancer from its recipe: how to run it in `dir` with the recipe's ports replaced. */
interface Balancer {
  name: string;
  recipe: string;
  command(dir: string, recipe: string): { cmd: string; args: string[] };
  /** Whole files that wrap the recipe (what a distribution's main config holds). */
  wrap(dir: string, recipe: string): string;
}

const BALANCERS: readonly Balancer[] = [
  {
    name: "HAProxy",
    recipe: "haproxy.cfg",
    wrap: (_dir, recipe) => `global\n  maxconn 2000\n\n${recipe}`,
    command: (dir) => ({
      cmd: "haproxy",
      args: ["-f", `${dir}/balancer.conf`, "-db"],
    }),
  },
  {
    name: "nginx",
    recipe: "nginx.conf",
    wrap: (dir, recipe) =>
      `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\n` +
      `error_log stderr warn;\nevents { worker_connections 1024; }\nhttp {\n` +
      `access_log off;\n` +
      ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        .map((t) => `${t}_temp_path ${dir}/${t};\n`).join("") +
      `${recipe}\n}\n`,
    command: (dir) => ({
      cmd: "nginx",
      args: ["-e", "stderr", "-p", `${dir}/`, "-c", `${dir}/balancer.conf`],
    }),
  },
  {
    name: "Caddy",
    recipe: "Caddyfile",
    wrap: (_dir, recipe) => `{\n\tadmin off\n}\n\n${recipe}`,
    command: (dir) => ({
      cmd: "caddy",
      args: [
        "run",
        "--adapter",
        "caddyfile",
        "--config",
        `${dir}/balancer.conf`,
      ],
    }),
  },
];

/** The recipe with the README's ports (front 8080, replicas 8001-8003) replaced. */
export function withPorts(
  recipe: string,
  front: number,
  replicas: number[],
): string {
  return recipe.replace(/\b80(80|01|02|03)\b/g, (port) => {
    const i = ["8001", "8002", "8003"].indexOf(port);
    return String(i < 0 ? front : replicas[i]);
  });
}

/** The drain delay the recipe asks the replicas for (its `DRAIN_DELAY_MS=` line). */
export function drainDelayOf(recipe: string): string {
  const found = /DRAIN_DELAY_MS=(\d+)/.exec(recipe)?.[1];
  if (found === undefined) {
    throw new Error("the recipe names no DRAIN_DELAY_MS");
  }
  return found;
}

/** wrk's Lua script for keep-alive POSTs of 1 KiB to /upload. */
const POST_SCRIPT = `wrk.method = "POST"
wrk.path = "/upload"
wrk.body = string.rep("x", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
`;

/** Client loops through the balancer until `stop()`; each tallies what it saw. */
function clients(front: number, uploadFile: string, postScript: string) {
  const base = `http://127.0.0.1:${front}`;
  const abort = new AbortController();
  const uploads = { ok: 0, early: 0, errors: [] as string[] };
  const streams = {
    drained: 0,
    late: 0,
    openAtEnd: 0,
    errors: [] as string[],
  };
  const wrk = startWrk(["-t1", "-c8", "--timeout", "5s", `${base}/`]);
  const wrkPost = startWrk([
    "-t1",
    "-c4",
    "--timeout",
    "5s",
    "-s",
    postScript,
    `${base}/`,
  ]);
  // Three clients upload to /upload (read whole, answered with the byte count); a fourth
  // posts the same file to /, which answers without reading the body.
  const uploadLoops = Array.from({ length: 4 }, async (_, i) => {
    const [path, answer] = i < 3
      ? ["/upload", `${UPLOAD_BYTES}\n`]
      : ["/", "ok\n"];
    while (!abort.signal.aborted) {
      const r = await curl([
        "--limit-rate",
        "1M",
        "--max-time",
        "10",
        "--data-binary",
        `@${uploadFile}`,
        `${base}${path}`,
      ]);
      if (r.code === 0 && r.status === 200 && r.body === answer) {
        if (i < 3) uploads.ok++;
        else uploads.early++;
      } else {
        uploads.errors.push(
          `POST ${path}: curl ${r.code} HTTP ${r.status} ${r.body.trim()}`,
        );
      }
    }
  });
  const sseLoops = Array.from({ length: 4 }, async () => {
    while (!abort.signal.aborted) {
      const r = await curl(
        ["-N", "--max-time", "60", `${base}/sse`],
        abort.signal,
      );
      if (r.code === -1 && r.body.startsWith("data: tick 1\n")) {
        streams.openAtEnd++;
      } else if (
        r.code === 0 && r.status === 200 &&
        r.body.endsWith("event: shutdown\ndata: server shutting down\n\n")
      ) {
        // Ticks first, or only the final event for a request that reached a replica
        // whose drain had begun (nginx keeps sending to it until its listener stops).
        if (r.body.startsWith("data: tick 1\n")) streams.drained++;
        else streams.late++;
      } else {
        streams.errors.push(
          `curl ${r.code} HTTP ${r.status}, ${r.body.length} bytes ending ${
            JSON.stringify(r.body.slice(-40))
          }`,
        );
      }
    }
  });
  return {
    async stop() {
      abort.abort();
      const [load, posts] = await Promise.all([
        wrk.stop(),
        wrkPost.stop(),
        ...uploadLoops,
        ...sseLoops,
      ]);
      return { load, posts, uploads, streams };
    },
  };
}

/** A replica's exit code; what it said goes to the console unless it exited 143. */
async function exitOf(replica: Server): Promise<number> {
  const code = await replica.exit();
  if (code !== 143) {
    console.log(`   replica exited ${code}:\n${replica.output.trimEnd()}`);
  }
  return code;
}

async function rollingRestart(
  balancer: Balancer,
  runtime: Runtime,
  t: Checks,
): Promise<void> {
  const recipe = await Deno.readTextFile(`${RECIPES}${balancer.recipe}`);
  const env = { DRAIN_DELAY_MS: drainDelayOf(recipe) };
  const front = freePort();
  const ports = [freePort(), freePort(), freePort()];
  const dir = await Deno.makeTempDir({ prefix: "quiesce_fleet_" });
  await Deno.chmod(dir, 0o777); // nginx's workers (nobody) write its temp paths
  const uploadFile = await randomFile(dir, UPLOAD_BYTES);
  const postScript = `${dir}/post.lua`;
  await Deno.writeTextFile(postScript, POST_SCRIPT);
  await Deno.writeTextFile(
    `${dir}/balancer.conf`,
    balancer.wrap(dir, withPorts(recipe, front, ports)),
  );
  const replicas = await Promise.all(
    ports.map((port) => Server.start(runtime, env, port)),
  );
  const { cmd, args } = balancer.command(dir, recipe);
  const proxy = new Deno.Command(which(cmd) ?? cmd, {
    args,
    env: { HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const proxyOutput = proxy.output();
  const codes: number[] = [];
  const exitMs: number[] = [];
  let failed = 0;
  const checks: Checks = {
    row: (text) => t.row(text),
    check: (ok, what) => (failed += ok ? 0 : 1, t.check(ok, what)),
  };
  try {
    for (let up = 0, i = 0; up < 6 && i < 200; i++) {
      const r = await fetch(`http://127.0.0.1:${front}/`).then(
        async (r) => (await r.body?.cancel(), r.ok),
        () => false,
      );
      up = r ? up + 1 : 0;
      await sleep(25);
    }
    const load = clients(front, uploadFile, postScript);
    await sleep(1_000);
    for (let i = 0; i < replicas.length; i++) {
      const signalled = performance.now();
      replicas[i]!.kill("SIGTERM");
      codes.push(await exitOf(replicas[i]!));
      exitMs.push(Math.round(performance.now() - signalled));
      replicas[i] = await Server.start(runtime, env, ports[i]);
      await sleep(1_200); // back in rotation: rise 2 x 200 ms, fail_timeout 1 s
    }
    const { load: wrk, posts, uploads, streams } = await load.stop();
    const socketErrors = (w: WrkResult) =>
      w.connect + w.read + w.write + w.timeout;
    const wrkErrors = socketErrors(wrk);
    const postErrors = socketErrors(posts);
    await Promise.all(replicas.map((r) => r.kill("SIGTERM")));
    codes.push(...await Promise.all(replicas.map(exitOf)));
    const distinct = <T>(xs: T[]) => [...new Set(xs)].slice(0, 3).join("; ");
    checks.row(
      `DRAIN_DELAY_MS=${env.DRAIN_DELAY_MS}, 3 replicas restarted one by one: ` +
        `wrk ${wrk.requests} keep-alive GETs, ${wrk.non2xx} non-2xx, ${wrkErrors} socket ` +
        `errors; wrk ${posts.requests} keep-alive POSTs of 1 KiB, ${posts.non2xx} ` +
        `non-2xx, ${postErrors} socket errors; 256 KiB uploads: ${uploads.ok} to ` +
        `/upload answered 200 with the byte count, ${uploads.early} to / (answered ` +
        `without reading) answered 200, ` +
        `${uploads.errors.length} failed${
          uploads.errors.length ? ` (${distinct(uploads.errors)})` : ""
        }; ` +
        `SSE: ${streams.drained} streams ended by a drain with the final event, ` +
        `${streams.late} answered only the final event (they came after the drain began), ` +
        `${streams.openAtEnd} open at the end, ${streams.errors.length} errors` +
        `${
          streams.errors.length ? ` (${distinct(streams.errors)})` : ""
        }; exits ${codes.join(", ")} (the restarts ${
          exitMs.join(", ")
        } ms after SIGTERM)`,
    );
    checks.check(
      wrk.requests > 0 && uploads.ok > 0 && uploads.early > 0,
      "no load went through",
    );
    checks.check(wrk.non2xx === 0, `${wrk.non2xx} non-2xx GETs`);
    checks.check(wrkErrors === 0, `${wrkErrors} wrk socket errors`);
    checks.check(posts.non2xx === 0, `${posts.non2xx} non-2xx POSTs`);
    checks.check(postErrors === 0, `${postErrors} wrk POST socket errors`);
    checks.check(
      uploads.errors.length === 0,
      `${uploads.errors.length} uploads failed`,
    );
    checks.check(
      streams.drained >= 3,
      `only ${streams.drained} SSE streams saw a drain`,
    );
    checks.check(
      streams.errors.length === 0,
      `${streams.errors.length} SSE errors`,
    );
    checks.check(
      codes.length === 6 && codes.every((c) => c === 143),
      `exits ${codes}`,
    );
  } finally {
    for (const replica of replicas) await replica.reap();
    proxy.kill("SIGTERM");
    const out = await proxyOutput;
    const log = new TextDecoder().decode(out.stderr).trim();
    if (failed > 0) {
      console.log(
        `   ${balancer.name} said:\n${log.split("\n").slice(-8).join("\n")}`,
      );
    }
    await Deno.remove(dir, { recursive: true });
  }
}

export const fleetScenarios: readonly Scenario[] = BALANCERS.map((
  balancer,
) => ({
  name: `fleet behind ${balancer.name}`,
  runtimes: RUNTIMES,
  run: (runtime: Runtime, t: Checks) => rollingRestart(balancer, runtime, t),
}));
