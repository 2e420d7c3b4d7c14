import type { ApolloServerPlugin } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import type { Response } from 'express';
import { answerEncoded } from '../common/http/body-in-slices';
import { jsonInParts } from '../common/http/json-in-parts';
import type { GraphqlContext } from '../sharing/gate/graphql-context';

/** The HTTP response each answer's data is for: Apollo's `stringifyResult` is given the result alone. */
const responseOf = new WeakMap<object, Response>();

/**
 * Answers serialised and encoded a part a turn (common/http/json-in-parts.ts), then written whole
 * with their length (common/http/body-in-slices.ts): a megabyte answer is never one string made,
 * copied and encoded in one block of the event loop (docs/benchmarks.md, "Every connection").
 *
 * This plugin notes, as the response is about to be sent, which HTTP response the result's data
 * belongs to; `stringifyAnswer` (Apollo's `stringifyResult`) finds it by the same data object and
 * leaves the encoded parts there for `send`. Apollo calls `stringifyResult` only once every
 * willSendResponse hook has finished — the ledger's write included — and with the body as it is
 * then. A body that has no data object noted here (the ledger's 503 replaces it with one without
 * data; errors) is serialised as before, by `JSON.stringify`. The data objects are new for every
 * execution, so no answer can be placed on another request's response.
 */
export function answerInPartsPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ response, contextValue }) {
          const data = response.body.kind === 'single' ? response.body.singleResult.data : undefined;
          if (data) responseOf.set(data, contextValue.res);
          return Promise.resolve();
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
  const res = value.data ? responseOf.get(value.data) : undefined;
  if (!res) return JSON.stringify(value);
  const parts: Buffer[] = [];
  let length = 0;
  const text = await jsonInParts(
    value,
    (part) => {
      const bytes = Buffer.from(part, 'utf8');
      parts.push(bytes);
      length += bytes.length;
    },
    // A client that went away is sent nothing: the rest of its answer is not made.
    { stop: () => res.destroyed },
  );
  if (text === undefined) return '';
  if (parts.length > 1) answerEncoded(res, { text, parts, length });
  return text;
}
