import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkWebhookUrl } from './webhook-url';
import { WebhookSender } from './webhook-sender';

const PRODUCTION = { requireHttps: true, allowPrivateTargets: false };
const LOCAL = { requireHttps: false, allowPrivateTargets: true };

describe('webhook URLs (docs/events.md, "Subscribing")', () => {
  const refused = (url: string, opts = PRODUCTION) => {
    expect(() => checkWebhookUrl(url, 'input.url', opts)).toThrow(
      expect.objectContaining({
        code: 'BAD_USER_INPUT',
        fields: [expect.objectContaining({ field: 'input.url' })],
      }),
    );
  };

  it.each([
    ['http://hr.example/hooks'],
    ['https://127.0.0.1/hooks'],
    ['https://localhost/hooks'],
    ['https://10.1.2.3/hooks'],
    ['https://192.168.0.10/hooks'],
    ['https://172.16.5.4/hooks'],
    ['https://169.254.169.254/latest/meta-data'],
    ['https://[::1]/hooks'],
    ['https://[fd00::1]/hooks'],
    ['https://[::ffff:10.0.0.1]/hooks'],
    // Public behind the mapping, but the connect-time filter reads the mapped range: refused here too.
    ['https://[::ffff:8.8.8.8]/h'],
    ['https://0.0.0.0/hooks'],
    ['https://printer.local/hooks'],
    ['https://user:secret@hr.example/hooks'],
    ['ftp://hr.example/hooks'],
    ['not a url'],
  ])('production refuses %s', (url) => refused(url));

  it('production takes a public https URL', () => {
    expect(checkWebhookUrl('https://hr.example/hooks?x=1', 'input.url', PRODUCTION)).toBe(
      'https://hr.example/hooks?x=1',
    );
    expect(checkWebhookUrl('https://93.184.216.34/hooks', 'input.url', PRODUCTION)).toBe(
      'https://93.184.216.34/hooks',
    );
  });

  it('locally, plain http only to loopback', () => {
    expect(checkWebhookUrl('http://127.0.0.1:4000/hooks', 'input.url', LOCAL)).toBe(
      'http://127.0.0.1:4000/hooks',
    );
    expect(checkWebhookUrl('http://localhost:4000/hooks', 'input.url', LOCAL)).toBe(
      'http://localhost:4000/hooks',
    );
    refused('http://hr.example/hooks', LOCAL);
    refused('http://10.0.0.5/hooks', LOCAL);
  });
});

describe('webhook sender', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(204);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses to connect to a loopback address when private targets are not allowed (checked at connect time)', async () => {
    const sender = new WebhookSender({
      timeoutSeconds: 2,
      allowPrivateTargets: false,
      maxSockets: 1,
    });
    // A name that resolves to loopback passes a check of the text, not the connect-time check.
    const result = await sender.send(`http://localhost:${port}/x`, {}, '{}');
    sender.close();
    expect(result).toMatchObject({ ok: false, status: null });
    expect(result.error).toMatch(/not allowed|private/i);
    expect(hits).toBe(0);
  });

  it('delivers when they are (development)', async () => {
    const sender = new WebhookSender({
      timeoutSeconds: 2,
      allowPrivateTargets: true,
      maxSockets: 1,
    });
    const result = await sender.send(`http://localhost:${port}/x`, {}, '{}');
    sender.close();
    expect(result).toEqual({ ok: true, status: 204, error: null });
    expect(hits).toBe(1);
  });
});
