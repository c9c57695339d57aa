// Every README snippet runs somewhere: plain `ts` blocks run under `deno test --doc`; a
// `ts ignore` block (a whole program that waits for a signal) must be marked with the
// tested example it is copied from, and be that example's code, verbatim.
import { assert, assertEquals } from "@std/assert";
import { ROOT } from "./_runtime.ts";

const README = Deno.readTextFileSync(`${ROOT}README.md`);

/** The fenced blocks of the README, with the tested-example marker before each, if any. */
function blocks(): Array<{ lang: string; code: string; source?: string }> {
  const found: Array<{ lang: string; code: string; source?: string }> = [];
  const fence = /(?:<!-- tested: (\S+) -->\s*\n)?```([^\n]*)\n([\s\S]*?)```/g;
  for (const match of README.matchAll(fence)) {
    found.push({ source: match[1], lang: match[2]!.trim(), code: match[3]! });
  }
  return found;
}

/** Whitespace-insensitive, and import lines aside (the example imports by path). */
function normalize(code: string): string {
  return code.split("\n")
    .filter((line) => !/^\s*import /.test(line) && !/^\s*} from /.test(line))
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("\n");
}

Deno.test("README: every whole-program snippet is marked with a tested example and is its code verbatim", () => {
  const programs = blocks().filter((b) => b.lang === "ts ignore" && b.source);
  assert(programs.length >= 4, `only ${programs.length} marked snippets`);
  for (const { code, source } of programs) {
    const example = normalize(Deno.readTextFileSync(`${ROOT}${source}`));
    assert(
      example.includes(normalize(code)),
      `the README snippet marked ${source} is not that file's code:\n${code}`,
    );
  }
});

Deno.test("README: the only unmarked ts ignore block is the import lines", () => {
  const unmarked = blocks().filter((b) => b.lang === "ts ignore" && !b.source);
  assertEquals(unmarked.length, 1);
  for (const line of unmarked[0]!.code.trim().split("\n")) {
    assert(line.startsWith("import "), line);
  }
});

Deno.test("README: the example links point at files that exist", () => {
  for (const [, path] of README.matchAll(/\]\(\.\/([^)#]+)\)/g)) {
    Deno.statSync(`${ROOT}${path}`);
  }
});
