import { setImmediate as nextTurn } from 'node:timers/promises';

/** Characters a part: serialising and encoding one takes ~1 ms on the reference machine. */
export const PART = 128 * 1024;

/**
 * `JSON.stringify(value)`, made a part of about `partSize` characters a turn of the event loop, each
 * part handed to `onPart` as it is made (to be encoded while it is small), as the strings it is
 * made of, in order. Returns true once the last part was handed, or false once `stop()` says the
 * text is no longer wanted (the client went away), checked before each part. The text itself is
 * kept nowhere: a part's strings can be collected once it is encoded (a 500-entry page of the
 * ledger is ~3.4 MB of them).
 *
 * A part is handed as its pieces, not as one string: each piece is a flat string (one element's
 * `JSON.stringify`, or punctuation) that encodes straight into a buffer, whereas a part of
 * ~128 k characters made one string is a rope that V8 first copies into a fresh large-object
 * string, then Node into a fresh buffer: ~0.8 ms a part, ~12 ms of a 500-entry page of the ledger
 * (docs/benchmarks.md, "Round 3, eleventh session").
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
export async function jsonInParts(value: object, onPart: (pieces: readonly string[]) => void, opts: { partSize?: number; stop?: () => boolean } = {}): Promise<boolean> {
  const writer = new PartWriter(opts.partSize ?? PART);
  const walk = writer.value(prepare(value, ''));
  while (!walk.next().done) {
    onPart(writer.take());
    await nextTurn();
    if (opts.stop?.()) return false;
  }
  const last = writer.take();
  if (last.length > 0 || writer.parts === 1) onPart(last);
  return true;
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
  /** The part being made, as its pieces, and its length in characters. */
  private pieces: string[] = [];
  private length = 0;
  parts = 0;

  constructor(private readonly partSize: number) {}

  /** The part made so far, and a new one begun. */
  take(): string[] {
    const part = this.pieces;
    this.pieces = [];
    this.length = 0;
    this.parts++;
    return part;
  }

  private add(piece: string): void {
    this.pieces.push(piece);
    this.length += piece.length;
  }

  /** Writes a prepared value, yielding when a part is full. */
  *value(v: unknown): Generator<void, void, void> {
    if (Array.isArray(v)) yield* this.array(v);
    else if (v !== null && typeof v === 'object') yield* this.object(v as Record<string, unknown>);
    else this.add(JSON.stringify(v));
  }

  private *array(a: unknown[]): Generator<void, void, void> {
    this.add('[');
    for (let i = 0; i < a.length; i++) {
      if (i > 0) this.add(',');
      const item = prepare(a[i], String(i));
      if (item === OMIT) this.add('null');
      // An object in an array is the unit of a part, serialised whole by JSON.stringify — exactly,
      // as its own toJSON (if any) was applied above and it has none left to be called with ''.
      else if (item !== null && typeof item === 'object' && !Array.isArray(item) && typeof (item as { toJSON?: unknown }).toJSON !== 'function') {
        this.add(JSON.stringify(item));
      } else yield* this.value(item);
      if (this.length >= this.partSize) yield;
    }
    this.add(']');
  }

  private *object(o: Record<string, unknown>): Generator<void, void, void> {
    this.add('{');
    let first = true;
    for (const key of Object.keys(o)) {
      const v = prepare(o[key], key);
      if (v === OMIT) continue;
      this.add(`${first ? '' : ','}${JSON.stringify(key)}:`);
      first = false;
      yield* this.value(v);
    }
    this.add('}');
  }
}
