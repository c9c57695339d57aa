// The examples' npm packages (examples/package.json), installed once when any is missing: a
// fresh clone has no examples/node_modules. .ci/run installs them before the tests, so
// parallel test files do not race to install.
import { ROOT } from "./_runtime.ts";

const EXAMPLES = `${ROOT}examples`;

function missing(): string[] {
  const manifest = JSON.parse(
    Deno.readTextFileSync(`${EXAMPLES}/package.json`),
  ) as { dependencies: Record<string, string> };
  return Object.keys(manifest.dependencies).filter((name) => {
    try {
      Deno.statSync(`${EXAMPLES}/node_modules/${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
}

/** Runs `npm install --prefix examples` if a package examples/package.json lists is missing. */
export async function ensureNpmPackages(): Promise<void> {
  if (missing().length === 0) return;
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      EXAMPLES,
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const left = missing();
  if (!out.success || left.length > 0) {
    throw new Error(
      `npm install --prefix examples failed (missing ${left.join(", ")}): ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}
