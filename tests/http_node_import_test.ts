// `./http` serves on Node without importing `node:http` statically: a static import would
// make Deno and Bun load their `node:http` emulation with every `./http` user (measured on
// this machine, 10 starts each, 3 rounds interleaved: `import "node:http"` alone took a
// bare script from 67-93 to 157-201 ms on Deno 2.9.6 and from 20-24 to 84-102 ms on Bun
// 1.4.5). The Node host gets it from `process.getBuiltinModule` when `serve()` runs there.
import { assertEquals } from "@std/assert";
import { ROOT } from "./_runtime.ts";

Deno.test("./http's module graph has no node: module (node:http is loaded on Node only, at serve())", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--import-map",
      `${ROOT}tests/offline/import_map.json`,
      `${ROOT}src/http.ts`,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: Array<
      { specifier: string; dependencies?: Array<{ specifier: string }> }
    >;
  };
  const nodeImports = graph.modules.flatMap((module) =>
    (module.dependencies ?? [])
      .filter((dependency) => dependency.specifier.startsWith("node:"))
      .map((dependency) =>
        `${
          module.specifier.replace(`file://${ROOT}`, "")
        } -> ${dependency.specifier}`
      )
  );
  assertEquals(nodeImports, []);
});
