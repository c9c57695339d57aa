// The house's layering, checked over the import lines of mod.ts and src/ (type imports
// included): no import cycle, and no upward import: the core (mod.ts, src/*.ts that are not
// subpath entries) imports no subpath, a subpath's internals (src/<name>/) never import
// their own entry point (src/<name>.ts), and no subpath reaches into another's internals.
import { assertEquals } from "@std/assert";
import { posix } from "node:path";
import { ROOT } from "./_runtime.ts";

const { dirname, join, normalize } = posix;

const exports: Record<string, string> = JSON.parse(
  Deno.readTextFileSync(join(ROOT, "deno.json")),
).exports;
const SUBPATHS = new Set(
  Object.entries(exports).filter(([key]) => key !== ".").map(([, path]) =>
    path.split("/").at(-1)!.replace(/\.ts$/, "")
  ),
);

function files(dir: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...files(path));
    else if (path.endsWith(".ts")) found.push(path);
  }
  return found;
}

function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  const from = /(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']/gs;
  for (const file of [...files("src"), "mod.ts"]) {
    const text = Deno.readTextFileSync(join(ROOT, file))
      .replace(/\/\*[\s\S]*?\*\//g, "");
    edges.set(
      file,
      [...text.matchAll(from)].map((m) =>
        normalize(join(dirname(file), m[1]!))
      ),
    );
  }
  return edges;
}

/** "core", or [kind, subpath] for a subpath's entry or internals. */
function place(file: string): "core" | ["entry" | "internal", string] {
  const parts = file.split("/");
  if (parts.length === 1) return "core";
  if (parts.length === 2) {
    const name = parts[1]!.replace(/\.ts$/, "");
    return SUBPATHS.has(name) ? ["entry", name] : "core";
  }
  return ["internal", parts[1]!];
}

Deno.test("imports: no cycle among mod.ts and src/", () => {
  const edges = graph();
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const visit = (node: string, stack: string[]) => {
    state.set(node, 1);
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 1) {
        cycles.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      } else if (!state.has(next)) visit(next, stack);
    }
    stack.pop();
    state.set(node, 2);
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, []);
  assertEquals(cycles, []);
});

Deno.test("imports: nothing imports upward", () => {
  const upward: string[] = [];
  for (const [file, targets] of graph()) {
    const here = place(file);
    for (const target of targets) {
      const there = place(target);
      const bad = here === "core" ? there !== "core" : there !== "core" &&
        (there[1] !== here[1]
          ? there[0] === "internal"
          : here[0] === "internal" && there[0] === "entry");
      if (bad) upward.push(`${file} -> ${target}`);
    }
  }
  assertEquals(upward, []);
});
