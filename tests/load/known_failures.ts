// Load rows that fail until the server side is fixed. They still run on every
// `deno task test:load`, and the suite prints each of them loudly, with what it saw, but
// they do not fail CI. A row listed here that passes is printed loudly too: take it off
// the list. Keys are `<runtime> <scenario name>`; values say why it fails.
export const KNOWN_FAILURES: Readonly<Record<string, string>> = {};
