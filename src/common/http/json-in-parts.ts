import { setImmediate as nextTurn } from 'node:timers/promises';

/** Characters a part: serialising and encoding one takes ~1 ms on the reference machine. */
export const PART = 128 * 1024;

/**
 * `JSON.stringify(value)`, made a part of about `partSize` characters a turn of the event loop, each
 * part handed to `onPart` as it is made (to be encoded while it is small). Returns the whole text
 * as the parts joined — a rope of them, not a copy.
 *
 * A 500-entry page of the ledger is ~3.4 MB of JSON: `JSON.stringify` of it took 7–17 ms in one
 * block, and the rope it returns was copied whole (13–16 ms, page faults included) before any of
 * it could be written (docs/benchmarks.md, "Every connection"). Here arrays are walked element by
 * element and each element is serialised by `JSON.stringify` itself, so an element is never split
 * and the text is that of `JSON.stringify` byte for byte (a property test holds it): objects'
 * own enumerable keys in order, `undefined`, functions and symbols left out of objects and `null`
 * in arrays, values with a `toJSON` serialised whole.
 */
export async function jsonInParts(value: unknown, onPart: (part: string) => void, partSize = PART): Promise<string> {
  const writer = new PartWriter(partSize);
  const walk = writer.value(value);
  while (!walk.next().done) {
    onPart(writer.take());
    await nextTurn();
  }
  const last = writer.take();
  if (last.length > 0 || writer.parts === 0) onPart(last);
  return writer.whole;
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

  /** Writes `v` (an array element or the root: never left out), yielding when a part is full. */
  *value(v: unknown): Generator<void, void, void> {
    if (Array.isArray(v)) yield* this.array(v);
    else if (isPlainObject(v)) yield* this.object(v);
    else this.current += JSON.stringify(v) ?? 'null';
  }

  private *array(a: unknown[]): Generator<void, void, void> {
    this.current += '[';
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.current += ',';
      const item = a[i];
      if (Array.isArray(item) || isPlainObject(item)) {
        // Objects in an array are the units of a part: one is serialised whole.
        if (Array.isArray(item)) yield* this.array(item);
        else this.current += JSON.stringify(item);
      } else {
        this.current += JSON.stringify(item) ?? 'null';
      }
      if (this.current.length >= this.partSize) yield;
    }
    this.current += ']';
  }

  private *object(o: Record<string, unknown>): Generator<void, void, void> {
    this.current += '{';
    let first = true;
    for (const key of Object.keys(o)) {
      const v = o[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      this.current += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      yield* this.value(v);
    }
    this.current += '}';
  }
}

/** An object `JSON.stringify` walks key by key: no `toJSON` of its own, not a boxed primitive. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  return !BOXED.has(Object.prototype.toString.call(v));
}

const BOXED = new Set(['[object Number]', '[object String]', '[object Boolean]', '[object BigInt]']);
