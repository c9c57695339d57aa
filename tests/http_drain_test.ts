// The drain with real clients that hold it: uploads sent slowly by curl (`--limit-rate`),
// handlers that answer before reading the body, errors while draining, and a large body
// to a client that stops reading, against tests/fixtures/http/app.ts on Deno and Bun.
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@std/assert";
import {
  get,
  readResponse,
  RUNTIMES,
  runtimeTest,
  start,
} from "./_http_app.ts";

const UPLOAD = 384 * 1024; // 1.5 s at 256 KiB/s

/** A file of `bytes` bytes under /tmp, removed on dispose. */
async function payload(
  bytes: number,
): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempFile({
    dir: "/tmp",
    prefix: "quiesce-upload-",
  });
  await Deno.writeFile(path, new Uint8Array(bytes).fill(97));
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path) };
}

/** `curl` uploading `file` to `url` at 256 KiB/s: its exit code and output. */
function slowUpload(
  url: string,
  file: string,
): Promise<{ code: number; out: string; err: string }> {
  return new Deno.Command("curl", {
    args: [
      "-sS",
      "--max-time",
      "20",
      "--limit-rate",
      "256K",
      "-H",
      "content-type: application/octet-stream",
      "--data-binary",
      `@${file}`,
      "-w",
      "%{http_code}",
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output().then((out) => ({
    code: out.code,
    out: new TextDecoder().decode(out.stdout),
    err: new TextDecoder().decode(out.stderr),
  }));
}

for (const [runtime, binary] of RUNTIMES) {
  const test = runtimeTest("http drain", runtime, binary);

  test("an upload still arriving at SIGTERM is read whole and answered 200; the report is ok, exit 143", async (bin) => {
    await using file = await payload(UPLOAD);
    const { child, port } = await start(runtime, bin);
    await using _ = child;
    const upload = slowUpload(`http://127.0.0.1:${port}/upload`, file.path);
    await child.waitFor("upload: started POST /upload");
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGTERM");
    const result = await upload;
    assertEquals(result.out, `${UPLOAD} bytes\n200`, result.err);
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assertMatch(exit.stdout, /^report: ok=true/m);
  });

  test("while draining, a handler that answers before reading the body: the rest is read and dropped, the client sees its 200, no broken pipe", async (bin) => {
    await using file = await payload(UPLOAD);
    const { child, port } = await start(runtime, bin, {
      DRAIN_DELAY_MS: "300",
    });
    await using _ = child;
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM");
    // Within the default linger (500 ms from the signal) the listener still serves.
    const result = await slowUpload(
      `http://127.0.0.1:${port}/ignore-body`,
      file.path,
    );
    assertEquals(
      [result.code, result.out],
      [0, "not reading that\n200"],
      result.err,
    );
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
    assertMatch(exit.stdout, /^report: ok=true/m);
  });

  test("while draining, a raw client that keeps sending its body after an early answer gets the whole response, not a reset", async (bin) => {
    const { child, port } = await start(runtime, bin, {
      DRAIN_DELAY_MS: "300",
    });
    await using _ = child;
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM");
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const body = new Uint8Array(256 * 1024).fill(98);
    await conn.write(new TextEncoder().encode(
      `POST /ignore-body HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: ${body.length}\r\n\r\n`,
    ));
    await conn.write(body.subarray(0, 16 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 300));
    let written = 16 * 1024;
    while (written < body.length) {
      written += await conn.write(body.subarray(written, written + 16 * 1024));
    }
    const response = await readResponse(conn);
    assertMatch(response.head, /^HTTP\/1.1 200/);
    assertStringIncludes(response.body, "not reading that\n");
    const exit = await child.exit();
    assertEquals(exit.code, 143, exit.stdout + exit.stderr);
  });

  test("a request answered 500 while draining fails the report: ok=false, named GET /fail, exit 1", async (bin) => {
    const { child, port } = await start(runtime, bin, {
      DRAIN_DELAY_MS: "300",
    });
    await using _ = child;
    child.kill("SIGTERM");
    await child.waitFor("received SIGTERM");
    const response = await fetch(`http://127.0.0.1:${port}/fail`);
    assertEquals([response.status, await response.text()], [500, "failed\n"]);
    const exit = await child.exit();
    assertEquals(exit.code, 1, exit.stdout + exit.stderr);
    assertMatch(exit.stdout, /^report: ok=false timedOut=false/m);
    assertMatch(exit.stdout, /^failure: GET \/fail: GET \/fail: answered 500/m);
  });

  for (const path of ["/big", "/file"]) {
    test(`a large body (${path}) to a client that stopped reading is in flight until handed over: the deadline names GET ${path}`, async (bin) => {
      await using file = await payload(8 * 1024 * 1024);
      const { child, port } = await start(runtime, bin, {
        DRAIN_DELAY_MS: "200",
        TIMEOUT_MS: "1500",
        FILE: file.path,
      });
      await using _ = child;
      child.kill("SIGTERM");
      await child.waitFor("received SIGTERM");
      using conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(get(path));
      const buffer = new Uint8Array(64 * 1024);
      assert((await conn.read(buffer)) !== null); // then reads nothing more
      const exit = await child.exit();
      assertEquals(exit.code, 1, exit.stdout + exit.stderr);
      assertMatch(
        exit.stdout,
        new RegExp(
          `^report: ok=false timedOut=true stragglers=.*GET \\${path}`,
          "m",
        ),
      );
    });
  }
}
