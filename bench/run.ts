// Runs the benchmarks on Deno and then on Bun, each in its own process, and prints their
// reports as they come (every row with its n, repetitions, median ratio and goal):
//   deno task bench                 bench/core.ts, bench/scale.ts and bench/janitor_bench.ts,
//                                   both runtimes
//   deno task bench --quick         fewer repetitions, no 1M rows in core.ts and scale.ts
//   deno task bench --http          also bench/http_bench.ts (needs wrk; slow)
//   deno task bench --deno-only     (or --bun-only)
// Nothing is written into the checkout: Deno runs with --no-lock (the npm: peer goes to the
// Deno cache), and Bun installs the peer into the system's temporary directory.
const here = (path: string) => new URL(path, import.meta.url).pathname;
const args = Deno.args;
const quick = args.includes("--quick");

function findBun(): string | undefined {
  const candidates = [
    here("../.tools/node_modules/.bin/bun"),
    ...(Deno.env.get("PATH") ?? "").split(":").filter(Boolean).map((dir) =>
      `${dir}/bun`
    ),
  ];
  return candidates.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/** Runs `cmd` with its output going straight to ours; returns whether it succeeded. */
async function run(cmd: string[]): Promise<boolean> {
  console.log(`\n$ ${cmd.join(" ")}`);
  const { success } = await new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  return success;
}

const deno = (script: string, ...rest: string[]) => [
  Deno.execPath(),
  "run",
  "-A",
  "--no-lock", // npm: peers must not leave a deno.lock in the checkout
  "--v8-flags=--expose-gc",
  here(script),
  ...rest,
];

const runtimes: Array<
  [string, (script: string, ...rest: string[]) => string[]]
> = [];
if (!args.includes("--bun-only")) runtimes.push(["deno", deno]);
const bun = findBun();
if (args.includes("--deno-only")) {
  // Deno only, as asked.
} else if (bun === undefined) {
  console.error("bun not found (PATH or .tools/): Deno only");
} else {
  runtimes.push(["bun", (script, ...rest) => [bun, here(script), ...rest]]);
}

let ok = true;
for (const [, command] of runtimes) {
  ok = await run(command("./core.ts", ...(quick ? ["--quick"] : []))) && ok;
  ok = await run(command("./scale.ts", ...(quick ? ["--quick"] : []))) && ok;
  ok = await run(command("./janitor_bench.ts", ...(quick ? ["5"] : []))) &&
    ok;
}
if (args.includes("--http")) {
  ok = await run([
    Deno.execPath(),
    "run",
    "-A",
    "--no-lock",
    here("./http_bench.ts"),
  ]) && ok;
}
if (!ok) Deno.exit(1);
