// The platform table: each platform is recognised from the variable its documentation
// names, the most specific first; a grace period (passed or the platform's) sets the plan
// when no timeout is given; an explicit timeout wins.
import { assertEquals, assertStringIncludes } from "@std/assert";
import {
  detectPlatform,
  exitMargin,
  planLine,
  planShutdown,
} from "../src/main/_platforms.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("each platform is recognised from the variable it sets", () => {
  const cases: Array<
    [Record<string, string>, string | undefined, number | undefined]
  > = [
    [{ KUBERNETES_SERVICE_HOST: "10.0.0.1" }, "kubernetes", 30_000],
    [{ K_SERVICE: "api", K_REVISION: "api-1" }, "cloud-run", 10_000],
    // Knative on Kubernetes sets K_SERVICE too: that is Kubernetes' grace period.
    [
      { K_SERVICE: "api", KUBERNETES_SERVICE_HOST: "10.0.0.1" },
      "kubernetes",
      30_000,
    ],
    [{ FLY_APP_NAME: "app" }, "fly", 5_000],
    [
      { ECS_CONTAINER_METADATA_URI_V4: "http://169.254.170.2/v4/x" },
      "ecs",
      30_000,
    ],
    [{ AWS_LAMBDA_FUNCTION_NAME: "fn" }, "aws-lambda", 300],
    [{ INVOCATION_ID: "0123" }, "systemd", 90_000],
    [{ NOTIFY_SOCKET: "/run/systemd/notify" }, "systemd", 90_000],
    [{}, undefined, undefined],
  ];
  for (const [vars, name, grace] of cases) {
    const profile = detectPlatform(envOf(vars));
    assertEquals(profile?.name, name, JSON.stringify(vars));
    assertEquals(profile?.gracePeriod, grace, JSON.stringify(vars));
  }
  assertEquals(
    detectPlatform(envOf({ FLY_APP_NAME: "a" }))?.stopSignal,
    "SIGINT",
  );
  // Deno Deploy comes from onDenoDeploy() (Deno only, no permission prompt) or the option.
  assertEquals(detectPlatform(envOf({}), true)?.name, "deno-deploy");
  assertEquals(detectPlatform(envOf({}), true)?.gracePeriod, 5_000);
  assertEquals(
    detectPlatform(envOf({ KUBERNETES_SERVICE_HOST: "x" }), true)?.name,
    "deno-deploy",
  );
});

Deno.test("a grace period sets the plan when no timeout is given; an explicit timeout wins", () => {
  const k8s = detectPlatform(envOf({ KUBERNETES_SERVICE_HOST: "x" }));
  assertEquals(planShutdown({}, k8s, 30_000).timeout, 29_000);
  assertEquals(
    planShutdown({ gracePeriod: 60_000 }, k8s, 30_000).timeout,
    59_500,
  );
  assertEquals(planShutdown({ timeout: 8_000 }, k8s, 30_000).timeout, 8_000);
  assertEquals(planShutdown({}, undefined, 30_000).timeout, 30_000);
  assertEquals(planShutdown({ gracePeriod: 10_000 }, undefined, 30_000), {
    timeout: 9_500,
    gracePeriod: 10_000,
    graceFrom: "option",
    platform: undefined,
  });
  // Lambda's 300 ms: a fifth of it for the exit, not 500 ms.
  const lambda = detectPlatform(envOf({ AWS_LAMBDA_FUNCTION_NAME: "fn" }));
  assertEquals(exitMargin(300), 60);
  assertEquals(planShutdown({}, lambda, 30_000).timeout, 200);
  assertEquals(
    planShutdown({ gracePeriod: Infinity }, lambda, 30_000).timeout,
    30_000,
  );
});

Deno.test("the plan line names the platform, the phases and the grace period", () => {
  const fly = detectPlatform(envOf({ FLY_APP_NAME: "app" }));
  const line = planLine(planShutdown({}, fly, 30_000), 0, 900);
  assertStringIncludes(line, "fly (FLY_APP_NAME), stops with SIGINT");
  assertStringIncludes(line, "tasks and cleanup until 3.1 s");
  assertStringIncludes(line, "flush reserve 0.9 s, deadline 4.0 s");
  assertStringIncludes(line, "grace period 5.0 s (platform default)");
});

Deno.test("main() plans from the platform it runs on: FLY_APP_NAME gives the 4 s timeout and a plan line", async () => {
  const { runMain } = await import("../src/testing.ts");
  Deno.env.set("FLY_APP_NAME", "quiesce-test");
  try {
    let timeout = 0;
    const { log } = await runMain(({ shutdown }) => {
      timeout = shutdown.timeout;
    }, { printPlan: true, onProgress: false });
    assertEquals(timeout, 4_000);
    assertStringIncludes(
      log[0]!,
      "plan: fly (FLY_APP_NAME), stops with SIGINT",
    );
    assertStringIncludes(log[0]!, "grace period 5.0 s (platform default)");
    // An explicit timeout that does not fit Fly's default 5 s is said at start-up.
    const late = await runMain(() => {}, { timeout: 6_000, onProgress: false });
    assertStringIncludes(
      late.log[0]!,
      "does not fit fly's default 5.0 s grace period",
    );
  } finally {
    Deno.env.delete("FLY_APP_NAME");
  }
});
