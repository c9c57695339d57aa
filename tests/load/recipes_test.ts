// The balancer recipes the README prints are the files the load suite runs
// (tests/load/fleet.ts reads examples/balancers/*), verbatim.
import { assert, assertEquals } from "@std/assert";
import { ROOT } from "../_runtime.ts";

const README = Deno.readTextFileSync(`${ROOT}README.md`);
const RECIPES = ["haproxy.cfg", "nginx.conf", "Caddyfile"];

Deno.test("README: each balancer recipe is printed verbatim from examples/balancers/", () => {
  for (const name of RECIPES) {
    const marker = `<!-- tested: examples/balancers/${name} -->`;
    const at = README.indexOf(marker);
    assert(at >= 0, `the README prints no ${name} recipe`);
    const printed = /```[^\n]*\n([\s\S]*?)```/.exec(README.slice(at))?.[1];
    assertEquals(
      printed,
      Deno.readTextFileSync(`${ROOT}examples/balancers/${name}`),
      `the README's ${name} is not examples/balancers/${name}`,
    );
  }
});

Deno.test("README: each recipe names the drain delay the load suite runs it with", () => {
  for (const name of RECIPES) {
    const recipe = Deno.readTextFileSync(`${ROOT}examples/balancers/${name}`);
    const delay = /DRAIN_DELAY_MS=(\d+)/.exec(recipe)?.[1];
    assert(delay, `${name} names no DRAIN_DELAY_MS`);
    const table = README.split("\n").find((line) =>
      line.startsWith("| ") && line.includes(`\`DRAIN_DELAY_MS=${delay}\``) &&
      line.toLowerCase().includes(name.slice(0, 5).toLowerCase())
    );
    assert(table, `the README's table gives ${name} another drain delay`);
  }
});
