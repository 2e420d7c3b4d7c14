import { setImmediate as nextTurn } from 'node:timers/promises';

/** Characters a part: serialising and encoding one takes ~1 ms on the reference machine. */
export const PART = 128 * 1024;

/**
 * `JSON.stringify(value)`, made a part of about `partSize` characters a turn of the event loop, each
 * part handed to `onPart` as it is made (to be encoded while it is small). Returns the whole text
 * as the parts joined — a rope of them, not a copy — or `undefined` once `stop()` says the text is
 * no longer wanted (the client went away), checked before each part.
 *
 * A 500-entry page of the ledger is ~3.4 MB of JSON: `JSON.stringify` of it took 7–17 ms in one
 * block, and the rope it returns was copied whole (13–16 ms, page faults included) before any of
 * it could be written (docs/benchmarks.md, "Every connection"). Here arrays are walked element by
 * element and each object in an array is serialised by `JSON.stringify` itself, so an element is
 * never split, and the text is that of `JSON.stringify` byte for byte (a property test holds it):
 * `toJSON` called with the property's key or the element's index, boxed primitives unwrapped,
 * objects' own enumerable string keys in order, `undefined`, functions and symbols left out of
 * objects and `null` in arrays. `value` is an object or an array (an answer always is).
 */
export async function jsonInParts(value: object, onPart: (part: string) => void, opts: { partSize?: number; stop?: () => boolean } = {}): Promise<string | undefined> {
  const writer = new PartWriter(opts.partSize ?? PART);
  const walk = writer.value(prepare(value, ''));
  while (!walk.next().done) {
    onPart(writer.take());
    await nextTurn();
    if (opts.stop?.()) return undefined;
  }
  const last = writer.take();
  if (last.length > 0 || writer.parts === 1) onPart(last);
  return writer.whole;
}

/** What `JSON.stringify` leaves out of an object (and writes as `null` in an array). */
const OMIT = Symbol('omit');

/**
 * A value as JSON.stringify's SerializeJSONProperty sees it before writing it: its `toJSON(key)`
 * applied, a boxed number, string, boolean or bigint unwrapped.
 */
function prepare(v: unknown, key: string): unknown {
  if (v !== null && (typeof v === 'object' || typeof v === 'function' || typeof v === 'bigint')) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, key);
  }
  if (v instanceof Number) v = Number(v);
  else if (v instanceof String) v = String(v);
  else if (v instanceof Boolean || v instanceof BigInt) v = v.valueOf();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return OMIT;
  return v;
}

class PartWriter {
  private current = '';
  whole = '';
  parts = 0;

  constructor(private readonly partSize: number) {}

  /** The part made so far, and a new one begun. */
  take(): string {
    const part = this.current;
    this.whole += part;
    this.current = '';
    this.parts++;
    return part;
  }

  /** Writes a prepared value, yielding when a part is full. */
  *value(v: unknown): Generator<void, void, void> {
    if (Array.isArray(v)) yield* this.array(v);
    else if (v !== null && typeof v === 'object') yield* this.object(v as Record<string, unknown>);
    else this.current += JSON.stringify(v);
  }

  private *array(a: unknown[]): Generator<void, void, void> {
    this.current += '[';
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.current += ',';
      const item = prepare(a[i], String(i));
      if (item === OMIT) this.current += 'null';
      // An object in an array is the unit of a part, serialised whole by JSON.stringify — exactly,
      // as its own toJSON (if any) was applied above and it has none left to be called with ''.
      else if (item !== null && typeof item === 'object' && !Array.isArray(item) && typeof (item as { toJSON?: unknown }).toJSON !== 'function') {
        this.current += JSON.stringify(item);
      } else yield* this.value(item);
      if (this.current.length >= this.partSize) yield;
    }
    this.current += ']';
  }

  private *object(o: Record<string, unknown>): Generator<void, void, void> {
    this.current += '{';
    let first = true;
    for (const key of Object.keys(o)) {
      const v = prepare(o[key], key);
      if (v === OMIT) continue;
      this.current += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      yield* this.value(v);
    }
    this.current += '}';
  }
}
