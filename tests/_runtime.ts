// Finds the runtimes that subprocess tests start. With CI=true a missing runtime is a test
// failure, never a silent skip.
import { fromFileUrl } from "./_path.ts";

/** A runtime a fixture can run on. */
export type RuntimeName = "deno" | "bun" | "node";

/** The repository root, as a path. */
export const ROOT: string = fromFileUrl(new URL("../", import.meta.url));

/** Whether this run is CI (missing runtimes fail). */
export const IN_CI: boolean = Deno.env.get("CI") === "true";

function isExecutable(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && isExecutable(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

function nodeMajor(path: string): number {
  const out = new Deno.Command(path, {
    args: ["--version"],
    stdout: "piped",
    stderr: "null",
  })
    .outputSync();
  return Number(
    new TextDecoder().decode(out.stdout).trim().replace(/^v/, "").split(".")[0],
  );
}

/** The path of `name`'s binary, or `undefined` when it is not installed here. */
export function findRuntime(name: RuntimeName): string | undefined {
  if (name === "deno") return Deno.execPath();
  const local = `${ROOT}.tools/node_modules/.bin/${name}`;
  const candidates = [local, onPath(name)].filter((p): p is string =>
    !!p && isExecutable(p)
  );
  // Fixtures run TypeScript by type stripping, which needs Node 22 or later.
  if (name === "node") return candidates.find((p) => nodeMajor(p) >= 22);
  return candidates[0];
}

/**
 * The runtime's binary, or `undefined` when it is missing outside CI (the caller then
 * skips with `ignore`). Throws in CI, so a missing runtime fails the suite.
 */
export function requireRuntime(name: RuntimeName): string | undefined {
  const path = findRuntime(name);
  if (path === undefined && IN_CI) {
    throw new Error(
      `CI=true but the ${name} runtime is missing: run .ci/run to install it`,
    );
  }
  return path;
}

/** The command line that runs the TypeScript file `script` on `runtime`. */
export function commandFor(
  runtime: RuntimeName,
  binary: string,
  script: string,
): string[] {
  switch (runtime) {
    case "deno":
      return [binary, "run", "--allow-all", "--no-prompt", script];
    case "bun":
      return [binary, "run", script];
    case "node":
      return [binary, "--experimental-strip-types", "--no-warnings", script];
  }
}
