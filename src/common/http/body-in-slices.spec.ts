import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Response } from 'express';
import { ticker } from '../../../test/utils/turn-ticker';
import { answerEncoded, bodyInSlices, standIn } from './body-in-slices';

/** A real Express server and a real HTTP client: the answer as it leaves, and the turns it takes. */
describe('bodyInSlices', () => {
  let server: Server;
  let base: string;
  let turnsDuringSend = 0;
  let arrived: () => void = () => undefined;
  let leftBehind: (res: Response) => void = () => undefined;
  const bodies: Record<string, string> = {};

  beforeAll(async () => {
    const app = express();
    app.use(bodyInSlices({ from: 1_000, slice: 100 }));
    app.get('/:name', (req, res) => {
      // Count the event-loop turns that pass while the answer is written.
      const turns = ticker();
      res.on('finish', () => (turnsDuringSend = turns.stop()));
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.send(bodies[req.params.name]);
    });
    // The answer is ready only after the client has gone (its parts took turns to make).
    app.get('/gone/now', (_req, res) => {
      arrived();
      res.on('close', () => {
        const text = 'x'.repeat(5_000);
        answerEncoded(res, { text, parts: [Buffer.from(text.slice(0, 2_500)), Buffer.from(text.slice(2_500))], length: 5_000 });
        res.send(text);
        setImmediate(() => leftBehind(res));
      });
    });
    // An answer of several parts: a stand-in for its text, its bytes left on the response.
    app.get('/stood-in/:placed', (req, res) => {
      const text = standIn();
      if (req.params.placed !== 'no') answerEncoded(res, { text, parts: [Buffer.from('{"data":'), Buffer.from('"é"}')], length: 13 });
      res.setHeader('content-type', 'application/json; charset=utf-8');
      // 'joined': its parts placed, but sent inside a larger text, as a batch of answers would be.
      res.send(req.params.placed === 'joined' ? `[{"data":1},${text}]` : text);
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

  it('writes a large answer whole, with its length, over many turns', async () => {
    // Multi-byte characters, and a surrogate pair (😀, two UTF-16 units) at characters 99–100:
    // straddling the first slice's end, and others after it.
    bodies.large = `${'é'.repeat(99)}😀`.repeat(60);
    const res = await fetch(`${base}/large`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(bodies.large));
    expect(bytes.equals(Buffer.from(bodies.large, 'utf8'))).toBe(true);
    expect(bytes.toString('utf8')).not.toContain('\ufffd');
    expect(turnsDuringSend).toBeGreaterThanOrEqual(Math.floor(bodies.large.length / 100) - 1);
  });

  it('writes nothing, and waits for nothing, once the client has gone', async () => {
    const reached = new Promise<void>((r) => (arrived = r));
    const after = new Promise<Response>((r) => (leftBehind = r));
    const client = new AbortController();
    const request = fetch(`${base}/gone/now`, { signal: client.signal }).catch(() => undefined);
    await reached;
    client.abort();
    const res = await after;
    await request;
    // Before: a write to the closed response returned false and the writer waited for a 'drain'
    // (and a 'close' already past) that never came, holding the answer's bytes.
    expect(res.listenerCount('drain')).toBe(0);
    expect(res.writableEnded).toBe(false);
  });

  it('writes the parts an answer stands in for, and never the stand-in itself', async () => {
    const placed = await fetch(`${base}/stood-in/yes`);
    expect(await placed.text()).toBe('{"data":"é"}');
    expect(placed.headers.get('content-length')).toBe('13');
    // Without its parts the response is cut off: no answer rather than a wrong one.
    await expect(fetch(`${base}/stood-in/no`).then((r) => r.text())).rejects.toThrow();
    await expect(fetch(`${base}/stood-in/joined`).then((r) => r.text())).rejects.toThrow();
  });

  it('leaves a small answer to Express, in one go', async () => {
    bodies.small = JSON.stringify({ data: 'x'.repeat(500) });
    const res = await fetch(`${base}/small`);
    expect(await res.text()).toBe(bodies.small);
    expect(Number(res.headers.get('content-length'))).toBe(bodies.small.length);
    expect(turnsDuringSend).toBeLessThanOrEqual(1);
  });
});
