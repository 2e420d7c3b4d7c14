import type { ApolloServerPlugin } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import type { Response } from 'express';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { answerEncoded, standIn, type Encoded } from '../common/http/body-in-slices';
import { jsonInParts } from '../common/http/json-in-parts';
import type { GraphqlContext } from '../sharing/gate/graphql-context';

/** An answer's data and the HTTP response it is for: Apollo's `stringifyResult` is given the result alone. */
interface Placed {
  res: Response;
  /** The result's errors and extensions the text was made with (the cost plugin's `extensions.cost`). */
  madeWith: { errors: unknown; extensions: unknown };
  /**
   * The text of the result and its UTF-8 bytes, made while the ledger wrote; FAILED if it was not
   * made (the client left, the body was replaced) or making it threw — then the result is
   * serialised again, to answer or fail as it would have.
   */
  made: Promise<Encoded | typeof FAILED>;
}

const placed = new WeakMap<object, Placed>();
const FAILED: unique symbol = Symbol('failed');

/**
 * Answers serialised and encoded a part a turn (common/http/json-in-parts.ts), then written whole
 * with their length (common/http/body-in-slices.ts): a megabyte answer is never one string made,
 * copied and encoded in one block of the event loop (docs/benchmarks.md, "Every connection").
 *
 * The answer is made in this plugin's willSendResponse hook, once the ledger's plugin has handed
 * its write to the database (`ledgerSent` on the context): the ~10 ms of making a 500-learner
 * page's answer fill the wait for the database instead of following it, and do not delay the
 * statement (docs/architecture.md, "The request path"). Nothing is sent here. Apollo calls
 * `stringifyResult` only once every willSendResponse hook has finished — the ledger's write
 * included — and with the body as it is then; `stringifyAnswer` finds the made text by the same
 * data object and leaves its bytes for `send`. A body replaced meanwhile (the ledger's 503 has no
 * data), or one whose errors or extensions a hook replaced, is serialised then, and what was made is dropped. The
 * data objects are new for every execution, so no answer can be placed on another request's response.
 *
 * Two things this relies on, both Apollo 5's behaviour: hooks change a body by replacing its
 * parts (the cost plugin sets a new `extensions` object; the ledger a new body), never by
 * changing them in place — a change in place after the text was made would not be seen; and
 * every plugin's willSendResponse runs at once (`Promise.all`), so this hook's wait for
 * `ledgerSent` runs beside the ledger's hook, which settles it on every path. The ledger's plugin
 * must come before this one (api/graphql.config.ts): it sets `ledgerSent` as the request starts.
 */
export function answerInPartsPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        async willSendResponse({ response, contextValue }) {
          const body = response.body;
          const data = body.kind === 'single' ? body.singleResult.data : undefined;
          const res = contextValue.res as Response | undefined;
          // Only an answer for an HTTP response is made here (not one run without HTTP).
          if (!data || body.kind !== 'single' || !res) return;
          const entry: Placed = { res, madeWith: { errors: undefined, extensions: undefined }, made: Promise.resolve(FAILED) };
          // Not worth finishing once the client has gone or a hook has replaced the body (the
          // ledger's 503, or an error): it would never be sent.
          const unwanted = () => res.destroyed || response.body !== body;
          entry.made = (async () => {
            await contextValue.ledgerSent;
            // A turn for the database driver to send the statement it was just handed.
            await nextTurn();
            if (unwanted()) return FAILED;
            // As Apollo hands the result to stringifyResult (its orderExecutionResultFields).
            const { errors, extensions } = body.singleResult;
            entry.madeWith = { errors, extensions };
            return (await makeAnswer({ errors, data, extensions }, unwanted)) ?? FAILED;
          })().catch((): typeof FAILED => FAILED);
          placed.set(data, entry);
          await entry.made;
        },
      });
    },
  };
}

/**
 * Apollo's `stringifyResult`: the text of `JSON.stringify(value)` — without the newline Apollo's
 * default appends — made in parts when the answer is for an HTTP response this plugin placed; for
 * an answer of several parts, a stand-in for that text, which `send` replaces with the parts'
 * bytes (common/http/body-in-slices.ts). Apollo hands the string to `send` and to nothing else.
 */
export async function stringifyAnswer(value: FormattedExecutionResult): Promise<string> {
  const found = value.data ? placed.get(value.data) : undefined;
  if (!found) return JSON.stringify(value);
  placed.delete(value.data!);
  const { res } = found;
  // Made from the same result, unless a hook replaced its errors or extensions since.
  const made = await found.made;
  const same = value.errors === found.madeWith.errors && value.extensions === found.madeWith.extensions;
  const encoded = made !== FAILED && same ? made : await makeAnswer(value, () => res.destroyed);
  // A client that went away is sent nothing: the rest of its answer is not made.
  if (!encoded) return '';
  if (encoded.parts.length > 1) answerEncoded(res, encoded);
  return encoded.text;
}

/**
 * `JSON.stringify(value)` made and encoded a part a turn; undefined once `stop()` says it is not
 * wanted (nothing more is made). An answer of one part keeps its text, which Express sends as any
 * small body; one of several is left as its bytes, with a stand-in for its text.
 */
async function makeAnswer(value: object, stop: () => boolean): Promise<Encoded | undefined> {
  const parts: Buffer[] = [];
  let length = 0;
  let first: readonly string[] | undefined;
  const done = await jsonInParts(
    value,
    (pieces) => {
      first = parts.length === 0 ? pieces : undefined;
      const bytes = utf8Of(pieces);
      parts.push(bytes);
      length += bytes.length;
    },
    { stop },
  );
  if (!done) return undefined;
  return { text: parts.length === 1 && first ? first.join('') : standIn(), parts, length };
}

/**
 * A part's UTF-8 bytes, written piece by piece into one buffer of their exact length: each piece
 * is a flat string, so nothing is copied into one large string first (common/http/json-in-parts.ts).
 * A piece is whole JSON (an element, a key, punctuation): no surrogate pair is ever split between
 * two pieces.
 */
function utf8Of(pieces: readonly string[]): Buffer {
  let length = 0;
  for (const piece of pieces) length += Buffer.byteLength(piece, 'utf8');
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (const piece of pieces) at += bytes.write(piece, at, 'utf8');
  // allocUnsafe's memory is not cleared: a byte not written here would be another answer's.
  if (at !== length) throw new Error(`answer part encoded to ${at} of ${length} bytes`);
  return bytes;
}
