// Requests per second of a hello-world handler, bare vs wrapped by `./http`, under
// `wrk -t2 -c100`, on Deno and Bun, measured side by side (interleaved runs) in one go.
//   deno run -A bench/http_bench.ts [runs=5] [seconds=3]
import {
  ensureTools,
  freePort,
  sleep,
  which,
  wrk,
} from "../tests/load/_tools.ts";

const runs = Number(Deno.args[0] ?? 5);
const seconds = Number(Deno.args[1] ?? 3);
const SERVER = new URL("./http_server.ts", import.meta.url).pathname;
const OVERHEAD = new URL("./http_overhead.ts", import.meta.url).pathname;

/** The wrapper's cost per request in-process (no network, no wrk noise): see http_overhead.ts. */
async function overhead(runtime: "deno" | "bun"): Promise<string> {
  const cmd = runtime === "deno"
    ? [Deno.execPath(), "run", "-A", OVERHEAD]
    : [which("bun")!, OVERHEAD];
  const out = await new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "null",
  })
    .output();
  const figures: Record<
    string,
    { bareNs: number; addedNs: number; minNs: number; maxNs: number }
  > = JSON.parse(new TextDecoder().decode(out.stdout));
  return Object.entries(figures).map(([kind, f]) =>
    `in-process, ${kind} handler: ${f.bareNs.toFixed(0)} ns, wrapped +${
      f.addedNs.toFixed(0)
    } ns per request (spread ${f.minNs.toFixed(0)} to ${
      f.maxNs.toFixed(0)
    }; goal <= 100 ns)`
  ).join("\n      ");
}

async function measure(runtime: "deno" | "bun", mode: string): Promise<number> {
  const port = freePort();
  const cmd = runtime === "deno"
    ? [Deno.execPath(), "run", "-A", SERVER]
    : [which("bun")!, SERVER];
  const child = new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    env: { PORT: String(port), MODE: mode },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("listening")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${runtime} ${mode} did not start`);
    text += value;
  }
  await sleep(200);
  const url = `http://127.0.0.1:${port}/`;
  await wrk(["-t2", "-c100", "-d1s", url]); // warm-up
  const result = await wrk(["-t2", "-c100", `-d${seconds}s`, url]);
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  return result.rps;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

await ensureTools();
const runtimes = which("bun") ? ["deno", "bun"] as const : ["deno"] as const;
const lines: string[] = [];
for (const runtime of runtimes) {
  // Noise: a second bare server measured in the same rotation (bare, wrapped, bare again);
  // the two bare servers differ only by chance, so their gap is what "within noise" means.
  const bare: number[] = [], wrapped: number[] = [], again: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(await measure(runtime, "bare"));
    wrapped.push(await measure(runtime, "wrapped"));
    again.push(await measure(runtime, "bare"));
    console.error(
      `${runtime} run ${i + 1}: bare ${bare.at(-1)} wrapped ${
        wrapped.at(-1)
      } bare again ${again.at(-1)}`,
    );
  }
  const b = median(bare), w = median(wrapped);
  const noise = median(
    bare.map((x, i) => Math.abs(x - again[i]!) / ((x + again[i]!) / 2)),
  );
  const costs = wrapped.map((x, i) => 1 - x / ((bare[i]! + again[i]!) / 2));
  lines.push(
    `${runtime.padEnd(5)} bare ${b.toFixed(0).padStart(7)} req/s   wrapped ${
      w.toFixed(0).padStart(7)
    } req/s   cost ${((1 - w / b) * 100).toFixed(1)}% (per run ${
      costs.map((c) => (c * 100).toFixed(1)).join(", ")
    }%)   noise: bare vs bare ${
      (noise * 100).toFixed(1)
    }% (median gap)   (median of ${runs} × ${seconds} s)`,
  );
  lines.push(`      ${await overhead(runtime)}`);
}
console.log(lines.join("\n"));
