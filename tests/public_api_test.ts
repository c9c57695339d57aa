// Every symbol an entry point publishes is declared in a file without a leading underscore:
// an underscore file is internal by the project's naming, so a reader (and JSR's "source"
// link) never lands in one from the documentation. Read from `deno doc --json`, which
// reports where each published symbol is really declared, re-exports followed.
import { assertEquals } from "@std/assert";

const ROOT = new URL("../", import.meta.url);

interface DocDeclaration {
  location: { filename: string };
}
interface DocSymbol {
  name: string;
  declarations: DocDeclaration[];
}

async function entryPoints(): Promise<string[]> {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as { exports: Record<string, string> };
  return Object.values(config.exports);
}

async function publishedSymbols(entry: string): Promise<DocSymbol[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno doc ${entry}: ${new TextDecoder().decode(stderr)}`);
  }
  const doc = JSON.parse(new TextDecoder().decode(stdout)) as {
    nodes: Record<string, { symbols?: DocSymbol[] }>;
  };
  const url = new URL(entry, ROOT).href;
  return doc.nodes[url]?.symbols ?? [];
}

Deno.test("no published symbol is declared in an underscore file", async () => {
  const misplaced: string[] = [];
  let seen = 0;
  for (const entry of await entryPoints()) {
    for (const symbol of await publishedSymbols(entry)) {
      seen++;
      for (const { location } of symbol.declarations) {
        const file = location.filename.slice(ROOT.href.length);
        const base = file.slice(file.lastIndexOf("/") + 1);
        if (base.startsWith("_")) {
          misplaced.push(`${entry}: ${symbol.name} (${file})`);
        }
      }
    }
  }
  // A reader that found nothing would pass vacuously: the entry points publish plenty.
  if (seen < 50) throw new Error(`only ${seen} published symbols were read`);
  assertEquals(misplaced, []);
});
