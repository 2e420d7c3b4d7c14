import type { NextFunction, Request, Response } from 'express';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Answers longer than this (characters) leave in slices. */
export const SLICED_FROM = 256 * 1024;
/** Characters a slice: encoding one to UTF-8 takes ~1 ms on the reference machine. */
export const SLICE = 128 * 1024;

/**
 * Large answers written in slices, one per turn of the event loop. Express's `send` encodes a
 * string body to UTF-8 in one go: for a 500-entry page of the ledger with every readable field
 * (~3.4 MB) that was a block of 15–35 ms on its own, with the request's other work on either side
 * (docs/benchmarks.md, "Every connection"). Here it is encoded a slice a turn, then written with
 * its `Content-Length`; a client that reads slowly is waited for ('drain'), one that went away
 * ends the writing. A slice never ends between the two halves of a surrogate pair, which would
 * encode as two replacement characters.
 */
export function bodyInSlices(opts: { from?: number; slice?: number } = {}) {
  const from = opts.from ?? SLICED_FROM;
  const slice = opts.slice ?? SLICE;
  return (req: Request, res: Response, next: NextFunction): void => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body !== 'string' || req.method === 'HEAD') return send(body);
      const locals = res.locals as Record<symbol, Encoded | undefined>;
      const encoded = locals[ENCODED];
      // Not kept past its use: the bytes are a learner's data.
      delete locals[ENCODED];
      // Apollo hands `send` the very string it was given, so this comparison ends at the
      // reference; an equal string made elsewhere would be compared character by character.
      if (encoded?.text === body) {
        void writeEncoded(res, encoded.parts, encoded.length).catch(() => res.destroy());
        return res;
      }
      // A stand-in without its parts, or inside a larger text (answers joined), would be a wrong
      // answer: none is sent. JSON text never holds a raw NUL (JSON.stringify escapes it), so
      // this scan finds stand-ins only.
      if (body.includes(STAND_IN)) {
        (req as Request & { log?: { error: (o: object, m: string) => void } }).log?.error({ length: body.length }, 'an answer stand-in reached send without its parts: response cut off');
        res.destroy();
        return res;
      }
      if (body.length < from) return send(body);
      void writeInSlices(res, body, slice).catch(() => res.destroy());
      return res;
    };
    next();
  };
}

const ENCODED = Symbol('encoded answer');

/** An answer's UTF-8 bytes, encoded in parts as its text was made. */
export interface Encoded {
  /**
   * The answer's text; for an answer of several parts, a stand-in for it (`standIn()`) that
   * `send` replaces with the parts' bytes: the whole text is never made, and each part's strings
   * can be collected once it is encoded.
   */
  text: string;
  parts: Buffer[];
  length: number;
}

const STAND_IN = '\u0000answer written from its encoded parts #';
let standIns = 0;

/** A stand-in for the text of an answer whose parts are left for `send` (answerEncoded); never JSON. */
export function standIn(): string {
  return `${STAND_IN}${++standIns}`;
}

/**
 * Leaves the bytes of `encoded.text`, already encoded, for `send`: when `send` is given exactly
 * that string (or stand-in), it writes these (api/answer-in-parts.ts) instead of encoding the
 * text again.
 */
export function answerEncoded(res: Response, encoded: Encoded): void {
  (res.locals as Record<symbol, Encoded | undefined>)[ENCODED] = encoded;
}

async function writeInSlices(res: Response, body: string, slice: number): Promise<void> {
  // Encoded first, a slice a turn, so that the answer keeps its Content-Length: counting the
  // bytes of the whole string at once (Buffer.byteLength) was itself a block of 12–18 ms.
  const encoded: Buffer[] = [];
  let length = 0;
  for (let at = 0; at < body.length; ) {
    if (at > 0) await nextTurn();
    if (res.destroyed) return;
    let end = Math.min(body.length, at + slice);
    if (end < body.length && isHighSurrogate(body.charCodeAt(end - 1))) end--;
    const bytes = Buffer.from(body.slice(at, end), 'utf8');
    encoded.push(bytes);
    length += bytes.length;
    at = end;
  }
  await writeEncoded(res, encoded, length);
}

/**
 * Writes `parts` (`length` bytes in all) as the body, waiting for a slow reader; nothing once the
 * client has gone (the parts may have taken turns to make, and it may have left meanwhile).
 */
async function writeEncoded(res: Response, parts: Buffer[], length: number): Promise<void> {
  if (res.destroyed || res.writableEnded) return;
  // As Express's send: a string body is UTF-8, and its type says so.
  const type = res.getHeader('content-type');
  res.setHeader('content-type', typeof type !== 'string' ? 'text/html; charset=utf-8' : /;\s*charset=/i.test(type) ? type : `${type}; charset=utf-8`);
  res.setHeader('content-length', length);
  for (const bytes of parts) {
    if (!res.write(bytes)) await drainedOrClosed(res);
    if (res.destroyed) return;
  }
  res.end();
}

function drainedOrClosed(res: Response): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
