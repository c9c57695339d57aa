// The npm packages the examples use (examples/package.json), installed on first use: a
// fresh CI clone has no examples/node_modules. One install per test process.
import { ROOT } from "./_runtime.ts";

let installing: Promise<void> | undefined;

function installed(names: string[]): boolean {
  return names.every((name) => {
    try {
      return Deno.statSync(`${ROOT}examples/node_modules/${name}/package.json`)
        .isFile;
    } catch {
      return false;
    }
  });
}

/** Resolves once every package named is in examples/node_modules (runs npm if not). */
export function ensureExamplePackages(names: string[]): Promise<void> {
  if (installed(names)) return Promise.resolve();
  installing ??= (async () => {
    const out = await new Deno.Command("npm", {
      args: [
        "install",
        "--prefix",
        `${ROOT}examples`,
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success || !installed(names)) {
      throw new Error(
        `npm install --prefix examples failed: ${
          new TextDecoder().decode(out.stderr)
        }`,
      );
    }
  })();
  return installing;
}
