// Drives tests/fixtures/http/app.ts, a real server on Deno.serve or Bun.serve run as a child
// process, with raw HTTP/1.1 over TCP where a client library would hide what happens.
import { Child } from "./_child.ts";
import {
  commandFor,
  findRuntime,
  requireRuntime,
  ROOT,
  type RuntimeName,
} from "./_runtime.ts";

const APP = `${ROOT}tests/fixtures/http/app.ts`;
export const RUNTIMES: Array<[RuntimeName, string | undefined]> = [
  ["deno", findRuntime("deno")],
  ["bun", requireRuntime("bun")],
];

/**
 * `Deno.test` for one runtime: each test is named `${label} on ${runtime}: ${name}`, gets
 * the runtime's binary, and is ignored where it is missing (outside CI) or `skip` says so.
 */
export function runtimeTest(
  label: string,
  runtime: RuntimeName,
  binary: string | undefined,
  skip: (name: string) => boolean = () => false,
): (name: string, fn: (binary: string) => Promise<void>) => void {
  return (name, fn) =>
    Deno.test({
      name: `${label} on ${runtime}: ${name}`,
      ignore: binary === undefined || skip(name),
      fn: () => fn(binary!),
    });
}

export async function start(
  runtime: RuntimeName,
  binary: string,
  env: Record<string, string> = {},
): Promise<{ child: Child; port: number }> {
  const child = Child.start(commandFor(runtime, binary, APP), { env });
  const line = await child.waitFor(/^listening on \d+/);
  return { child, port: Number(line.split(" ").at(-1)) };
}

export interface RawResponse {
  head: string;
  body: string;
}

/** Reads one HTTP/1.1 response (content-length or chunked) from `conn`. */
export async function readResponse(conn: Deno.Conn): Promise<RawResponse> {
  const decoder = new TextDecoder();
  let text = "";
  const buffer = new Uint8Array(16 * 1024);
  while (true) {
    const end = text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const head = text.slice(0, end);
      const rest = text.slice(end + 4);
      const length = /content-length: (\d+)/i.exec(head)?.[1];
      if (length !== undefined && rest.length >= Number(length)) {
        return { head, body: rest.slice(0, Number(length)) };
      }
      if (
        /transfer-encoding: chunked/i.test(head) && rest.endsWith("0\r\n\r\n")
      ) {
        return { head, body: rest };
      }
    }
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`EOF after ${JSON.stringify(text)}`);
    text += decoder.decode(buffer.subarray(0, n));
  }
}

export function get(path: string): Uint8Array {
  return new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
  );
}

/** Whether a new connection to `port` is refused (or reset before any answer). */
export async function refused(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    await response.body?.cancel();
    return false;
  } catch {
    return true;
  }
}
