import express from 'express';
import type { Response } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { bodyInSlices } from '../common/http/body-in-slices';
import { answerInPartsPlugin, stringifyAnswer } from './answer-in-parts';

/** A real Express server and HTTP client; the plugin's hook called as Apollo calls it. */
describe('answers in parts', () => {
  let server: Server;
  let base: string;
  const result = { data: { learners: { nodes: Array.from({ length: 3_000 }, (_, i) => ({ id: `l-${i}`, name: `Zoë ${'é'.repeat(80)} 😀`, n: i })) } } };
  let encodedParts = 0;
  let handedToApollo = '';

  beforeAll(async () => {
    const app = express();
    app.use(bodyInSlices());
    app.get('/answer', (_req, res) => {
      void (async () => {
        const hooks = await answerInPartsPlugin().requestDidStart!({} as never);
        await hooks!.willSendResponse!({ response: { body: { kind: 'single', singleResult: result } }, contextValue: { res } } as never);
        // Apollo gives stringifyResult a new object holding the same data.
        const text = await stringifyAnswer({ errors: undefined, data: result.data, extensions: undefined });
        encodedParts = encodedOf(res)?.parts.length ?? 0;
        handedToApollo = text;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.send(text);
      })();
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    // Keep-alive connections of the client would hold the server open.
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });

  it('is JSON.stringify of the result, made and encoded in parts, and sent with its length', async () => {
    const res = await fetch(`${base}/answer`);
    const text = await res.text();
    expect(text).toBe(JSON.stringify(result));
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(encodedParts).toBeGreaterThan(2);
    // Apollo was handed a stand-in, not the text: the whole text was never made.
    expect(handedToApollo.length).toBeLessThan(100);
    expect(text.startsWith(handedToApollo)).toBe(false);
  });

  describe('made while the ledger writes', () => {
    /** A result whose serialising is seen: JSON.stringify and jsonInParts both call toJSON. */
    function counted() {
      const seen = { calls: 0 };
      const data = { learners: { nodes: [{ id: 'l-1', total: { toJSON: () => ++seen.calls } }] } };
      return { seen, data };
    }
    const res = { destroyed: false, locals: {} } as unknown as Response;
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };

    it('begins only once the ledger has sent its statement, and is the text stringifyResult answers', async () => {
      const { seen, data } = counted();
      let sent!: () => void;
      const ledgerSent = new Promise<void>((r) => (sent = r));
      const singleResult = { data, extensions: { cost: 7 } };
      const hooks = await answerInPartsPlugin().requestDidStart!({} as never);
      const hook = hooks!.willSendResponse!({ response: { body: { kind: 'single', singleResult } }, contextValue: { res, ledgerSent } } as never);
      await turns(5);
      expect(seen.calls).toBe(0);
      sent();
      await hook;
      expect(seen.calls).toBe(1);
      const text = await stringifyAnswer({ errors: undefined, data, extensions: singleResult.extensions });
      expect(text).toBe('{"data":{"learners":{"nodes":[{"id":"l-1","total":1}]}},"extensions":{"cost":7}}');
      expect(seen.calls).toBe(1);
    });

    it('is not made for a body a hook replaced meanwhile (the ledger’s 503)', async () => {
      const { seen, data } = counted();
      let sent!: () => void;
      const ledgerSent = new Promise<void>((r) => (sent = r));
      const response = { body: { kind: 'single', singleResult: { data } } as object };
      const hooks = await answerInPartsPlugin().requestDidStart!({} as never);
      const hook = hooks!.willSendResponse!({ response, contextValue: { res, ledgerSent } } as never);
      const failed = { kind: 'single', singleResult: { errors: [{ message: 'not recorded' }] } };
      response.body = failed;
      sent();
      await hook;
      expect(seen.calls).toBe(0);
      expect(await stringifyAnswer(failed.singleResult)).toBe(JSON.stringify(failed.singleResult));
    });

    it('is made again when a hook replaced the extensions or errors after it was made', async () => {
      const { seen, data } = counted();
      const singleResult = { data, extensions: { cost: 7 } };
      const hooks = await answerInPartsPlugin().requestDidStart!({} as never);
      await hooks!.willSendResponse!({ response: { body: { kind: 'single', singleResult } }, contextValue: { res } } as never);
      const text = await stringifyAnswer({ errors: [{ message: 'late' }], data, extensions: { cost: 8 } });
      expect(JSON.parse(text)).toEqual({ errors: [{ message: 'late' }], data: { learners: { nodes: [{ id: 'l-1', total: 2 }] } }, extensions: { cost: 8 } });
      expect(seen.calls).toBe(2);
    });
  });

  it('a result whose response it does not know is plain JSON.stringify', async () => {
    const other = { data: { x: [1, 2, 3] } };
    expect(await stringifyAnswer(other)).toBe(JSON.stringify(other));
  });
});

function encodedOf(res: Response): { parts: Buffer[] } | undefined {
  const key = Object.getOwnPropertySymbols(res.locals)[0];
  return key ? (res.locals as Record<symbol, { parts: Buffer[] }>)[key] : undefined;
}
