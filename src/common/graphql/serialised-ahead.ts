import type { FormattedExecutionResult } from 'graphql';

/**
 * Results serialised before Apollo asks for them, keyed by their `data` (the object Apollo hands
 * on), with the `extensions` they were serialised with.
 */
const ahead = new WeakMap<object, { extensions: unknown; text: string }>();

/**
 * Serialises a response now, for stringifyResult() below to hand Apollo as is: the ledger writes a
 * page's entries while this runs (ledger.plugin.ts), so the API's CPU turns the result into
 * text while PostgreSQL, on the other core, writes; the text leaves only after the write
 * committed (docs/architecture.md, "Ledger and outbox").
 *
 * Only a result without errors (what a gated page answers): Apollo writes `{ errors, data,
 * extensions }` in that order, and without errors that is `{"data":…,"extensions":…}`. Nothing may
 * change `data` or `extensions` in place after this: no plugin does, and one that replaces either,
 * or adds errors, only makes stringifyResult serialise the result again.
 */
export function serialiseAhead(result: { data?: unknown; errors?: unknown; extensions?: unknown }): void {
  const { data, extensions } = result;
  if (result.errors !== undefined || typeof data !== 'object' || data === null) return;
  ahead.set(data, { extensions, text: `${JSON.stringify({ data, extensions })}\n` });
}

/** Apollo's stringifyResult: its own serialisation (JSON and a newline), or what was serialised ahead. */
export function stringifyResult(value: FormattedExecutionResult): string {
  const { data } = value;
  if (value.errors === undefined && typeof data === 'object' && data !== null) {
    const serialised = ahead.get(data);
    if (serialised !== undefined && serialised.extensions === value.extensions) {
      ahead.delete(data);
      return serialised.text;
    }
  }
  return `${JSON.stringify(value)}\n`;
}
