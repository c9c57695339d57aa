// The in-flight list GracefulHttp keeps instead of a Set: order, size, and removal while
// iterating (the drain ends streams whose requests settle during the loop over them).
import { assertEquals } from "@std/assert";
import { type InFlightEntry, InFlightList } from "../src/http/_in_flight.ts";

interface Named extends InFlightEntry {
  name: string;
}

const entry = (name: string): Named => ({
  name,
  prevInFlight: undefined,
  nextInFlight: undefined,
  listed: false,
});

Deno.test("InFlightList keeps insertion order and size, ignores a second delete, and survives deletes while iterating (what is added meanwhile waits for the next loop)", () => {
  const list = new InFlightList<Named>();
  const [a, b, c, d] = ["a", "b", "c", "d"].map(entry);
  for (const e of [a!, b!, c!]) list.add(e);
  assertEquals([...list].map((e) => e.name), ["a", "b", "c"]);
  list.delete(b!);
  list.delete(b!);
  assertEquals(list.size, 2);
  list.add(b!);
  assertEquals([...list].map((e) => e.name), ["a", "c", "b"]);
  const seen: string[] = [];
  for (const e of list) {
    seen.push(e.name);
    // The one in hand and the next one leave; a new one arrives at the end.
    if (e === a) {
      list.delete(a!);
      list.delete(c!);
      list.add(d!);
    }
  }
  assertEquals(seen, ["a", "b"]);
  assertEquals([a!.nextInFlight, a!.prevInFlight], [undefined, undefined]);
  assertEquals(list.some((e) => e.name === "d"), true);
  assertEquals([...list].map((e) => e.name), ["b", "d"]);
  list.delete(b!);
  list.delete(d!);
  assertEquals([list.size, [...list]], [0, []]);
});
