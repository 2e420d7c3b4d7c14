import type { ApolloServerPlugin } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import type { Response } from 'express';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { answerEncoded, type Encoded } from '../common/http/body-in-slices';
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
 * default appends — made in parts when the answer is for an HTTP response this plugin placed.
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

/** `JSON.stringify(value)` made and encoded a part a turn; undefined once `stop()` says it is not wanted (nothing more is made). */
async function makeAnswer(value: object, stop: () => boolean): Promise<Encoded | undefined> {
  const parts: Buffer[] = [];
  let length = 0;
  const text = await jsonInParts(
    value,
    (part) => {
      const bytes = Buffer.from(part, 'utf8');
      parts.push(bytes);
      length += bytes.length;
    },
    { stop },
  );
  return text === undefined ? undefined : { text, parts, length };
}
