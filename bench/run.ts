// Runs every benchmark on Deno and on Bun, each in its own process, and prints the results
// side by side ("deno / bun" in each cell).
//   deno run -A bench/run.ts            (or: deno task bench)
//   deno run -A bench/run.ts tokens     (only bench/tokens.ts)
import { fmt, renderTable, type Section } from "./_util.ts";

const BENCHES = ["tokens", "tasks"];
const here = (path: string) => new URL(path, import.meta.url).pathname;

function findBun(): string | undefined {
  const candidates = [
    here("../.tools/node_modules/.bin/bun"),
    ...(Deno.env.get("PATH") ?? "").split(":").filter(Boolean).map((d) =>
      `${d}/bun`
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

interface Result {
  runtime: string;
  sections: Section[];
}

async function runOne(cmd: string[]): Promise<Result> {
  console.error(`$ ${cmd.join(" ")}`);
  const output = await new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`${cmd.join(" ")} exited ${output.code}:\n${text}`);
  }
  return JSON.parse(text.trim().split("\n").at(-1)!) as Result;
}

const selected = Deno.args.filter((a) => BENCHES.includes(a));
const passThrough = Deno.args.filter((a) => !BENCHES.includes(a));
const bun = findBun();
for (const name of selected.length > 0 ? selected : BENCHES) {
  const script = here(`./${name}.ts`);
  const results: Result[] = [
    await runOne([
      Deno.execPath(),
      "run",
      "-A",
      "--no-lock", // npm: peers must not leave a deno.lock in the repository
      "--v8-flags=--expose-gc",
      script,
      "--json",
      ...passThrough,
    ]),
  ];
  if (bun) results.push(await runOne([bun, script, "--json", ...passThrough]));
  else console.error("bun not found: Deno only");
  const runtimes = results.map((r) => r.runtime.split(" ")[0]).join(" / ");
  console.log(
    `\n# bench/${name}.ts — ${results.map((r) => r.runtime).join(", ")}`,
  );
  results[0]!.sections.forEach((section, s) => {
    console.log(`\n## ${section.title}  (${runtimes})`);
    const labels = new Set(
      results.flatMap((r) => r.sections[s]?.rows.map((x) => x.label) ?? []),
    );
    const rows = [...labels].map((label) => [
      label,
      ...section.columns.map((_, c) =>
        results.map((r) => {
          const match = r.sections[s]?.rows.find((x) => x.label === label);
          return match ? fmt(match.cells[c]!) : "-";
        }).join(" / ")
      ),
    ]);
    console.log(renderTable(["", ...section.columns], rows));
    const notes = new Set(results.flatMap((r) => r.sections[s]?.notes ?? []));
    for (const note of notes) console.log(`  note: ${note}`);
  });
}
