import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import * as clientSecret from '../../src/auth/client-secret';
import { SigningKeyService } from '../../src/auth/signing-key.service';
import { staffClaims, world } from '../factories/world';
import { createTestApp, TEST_AUDIENCE, TEST_ISSUER, type TestApp } from '../utils/test-app';

// The secret check, wrapped to count calls (it still does the real work).
jest.mock('../../src/auth/client-secret', () => {
  const actual = jest.requireActual('../../src/auth/client-secret');
  return { ...actual, verifyClientSecret: jest.fn(actual.verifyClientSecret) };
});

const VIEWER = '{ viewer { kind subject organisationId learnerId } }';
const IDP_ISSUER = 'https://idp.learning-platform.test';

describe('authentication (docs/architecture.md, "The request path")', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let jwksServer: Server;
  const idpKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const idpKid = 'idp-key-1';

  beforeAll(async () => {
    // The learning platform's identity provider: a real HTTP JWKS endpoint on loopback.
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [{ ...idpKeys.publicKey.export({ format: 'jwk' }), kid: idpKid, alg: 'RS256', use: 'sig' }] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const port = (jwksServer.address() as AddressInfo).port;
    t = await createTestApp({ LEARNER_IDP_ISSUER: IDP_ISSUER, LEARNER_IDP_JWKS_URI: `http://127.0.0.1:${port}/jwks.json` });
    w = world(t.db);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => jwksServer.close(r));
  });

  const ownKey = () => t.app.get(SigningKeyService).signingKey();
  const forge = (payload: object, opts: { alg?: string; kid?: string; key?: string | Buffer } = {}) =>
    sign({ kind: 'PROVIDER_STAFF', org: randomUUID(), ...payload }, opts.key ?? ownKey().privateKeyPem, {
      algorithm: (opts.alg ?? 'ES256') as 'ES256',
      keyid: opts.kid ?? ownKey().kid,
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      subject: 'staff:x',
      ...('exp' in payload ? {} : { expiresIn: 300 }),
    });

  async function expect401(token: string, message: RegExp) {
    const res = await t.http().post('/graphql').set('authorization', `Bearer ${token}`).send({ query: VIEWER });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.body.errors[0].message).toMatch(message);
    expect(res.body.data).toBeUndefined();
  }

  describe('lifetime (RFC 8725)', () => {
    const raw = (payload: object, opts: { noTimestamp?: boolean } = {}) =>
      sign({ kind: 'PROVIDER_STAFF', org: randomUUID(), ...payload }, ownKey().privateKeyPem, {
        algorithm: 'ES256',
        keyid: ownKey().kid,
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        subject: 'staff:x',
        noTimestamp: opts.noTimestamp ?? false,
      });

    it('refuses a token without exp', async () => {
      await expect401(raw({}), /no expiry/);
    });

    it('refuses a token that lives longer than the maximum (default 24 h), with or without iat', async () => {
      const now = Math.floor(Date.now() / 1000);
      const tenYears = now + 10 * 365 * 86400;
      await expect401(raw({ exp: tenYears }), /lives longer than the maximum/);
      await expect401(raw({ exp: tenYears }, { noTimestamp: true }), /lives longer than the maximum/);
      // An iat set close to its far exp does not make it short-lived: measured from now too.
      await expect401(raw({ exp: tenYears, iat: tenYears - 60 }), /lives longer than the maximum/);
    });

    it('accepts one within the maximum', async () => {
      const now = Math.floor(Date.now() / 1000);
      const res = await t.http().post('/graphql').set('authorization', `Bearer ${forge({ exp: now + 3600 })}`).send({ query: VIEWER });
      expect(res.status).toBe(200);
      expect(res.body.data.viewer.kind).toBe('PROVIDER_STAFF');
    });
  });

  describe('client credentials', () => {
    it('malformed credentials (a NUL byte, a control character, an overlong id) are a 401 with an OAuth body, never a 500', async () => {
      for (const client_id of ['demo\u0000client', 'x'.repeat(1_000), 'tab\tinside']) {
        const res = await t.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id, client_secret: 's' });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      }
    });

    it('an unknown client id costs the same work as a known one: the secret is checked either way', async () => {
      const spy = clientSecret.verifyClientSecret as jest.MockedFunction<typeof clientSecret.verifyClientSecret>;
      spy.mockClear();
      try {
        const unknown = await t.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: 'rsa_doesnotexist', client_secret: 'wrong' });
        expect(unknown.status).toBe(401);
        expect(spy).toHaveBeenCalledTimes(1);
        const employer = await w.organisation('EMPLOYER');
        const { client } = await w.apiClient(employer);
        const known = await t.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'wrong' });
        expect(known.status).toBe(401);
        expect(known.body).toEqual(unknown.body);
        expect(spy).toHaveBeenCalledTimes(2);
      } finally {
        spy.mockClear();
      }
    });

    it('issues a token for a valid client (form body) that the API accepts', async () => {
      const employer = await w.organisation('EMPLOYER');
      const { client, secret } = await w.apiClient(employer);
      const res = await t.http().post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      const viewer = await t.gql(res.body.access_token, VIEWER);
      expect(viewer.data.viewer).toEqual({ kind: 'EMPLOYER_CLIENT', subject: client.id, organisationId: employer.id, learnerId: null });
    });

    it('accepts HTTP Basic client authentication and JSON bodies', async () => {
      const broker = await w.organisation('BROKER');
      const { client, secret } = await w.apiClient(broker);
      const basic = Buffer.from(`${client.clientId}:${secret}`).toString('base64');
      const res = await t.http().post('/oauth/token').set('authorization', `Basic ${basic}`).send({ grant_type: 'client_credentials' });
      expect(res.status).toBe(200);
      expect((await t.gql(res.body.access_token, VIEWER)).data.viewer.kind).toBe('BROKER_CLIENT');
    });

    it('refuses a wrong secret, an unknown client and a missing grant type', async () => {
      const employer = await w.organisation('EMPLOYER');
      const { client } = await w.apiClient(employer);
      const wrong = await t.http().post('/oauth/token').send({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'nope' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toBe('invalid_client');
      const unknown = await t.http().post('/oauth/token').send({ grant_type: 'client_credentials', client_id: 'rsa_unknown', client_secret: 'nope' });
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body); // unknown and wrong secret are indistinguishable
      const grant = await t.http().post('/oauth/token').send({ grant_type: 'password', client_id: client.clientId, client_secret: 'x' });
      expect(grant.status).toBe(400);
      expect(grant.body.error).toBe('unsupported_grant_type');
      const missing = await t.http().post('/oauth/token').send({});
      expect(missing.status).toBe(400);
      expect(missing.body.error).toBe('invalid_request');
    });

    it('a client created through GraphQL shows its secret once, stores only a hash, and revocation stops its tokens at once', async () => {
      const provider = await w.organisation('PROVIDER');
      const employer = await w.organisation('EMPLOYER');
      const staff = t.token(staffClaims(provider.id));
      const created = await t.gql(staff, `mutation($i: CreateApiClientInput!) { createApiClient(input: $i) { clientSecret apiClient { id clientId revokedAt } } }`, {
        i: { organisationId: employer.id, name: 'HR portal' },
      });
      const { clientSecret, apiClient } = created.data.createApiClient;
      expect(clientSecret).toMatch(/^rsas_[A-Za-z0-9_-]{43}$/);
      const [stored] = await t.db.query(`SELECT secret_hash FROM api_clients WHERE id = $1`, [apiClient.id]);
      expect(stored.secret_hash).toMatch(/^scrypt\$/);
      expect(stored.secret_hash).not.toContain(clientSecret);
      // the secret is not readable afterwards
      const listed = await t.gql(staff, `query($o: ID) { apiClients(organisationId: $o) { clientId } }`, { o: employer.id });
      expect(JSON.stringify(listed.body)).not.toContain(clientSecret);

      const token = (await t.http().post('/oauth/token').send({ grant_type: 'client_credentials', client_id: apiClient.clientId, client_secret: clientSecret })).body.access_token;
      expect((await t.gql(token, VIEWER)).status).toBe(200);
      const revoked = await t.gql(staff, `mutation($id: ID!) { revokeApiClient(id: $id) { revokedAt } }`, { id: apiClient.id });
      expect(revoked.data.revokeApiClient.revokedAt).not.toBeNull();
      await expect401(token, /revoked/);
      const again = await t.http().post('/oauth/token').send({ grant_type: 'client_credentials', client_id: apiClient.clientId, client_secret: clientSecret });
      expect(again.status).toBe(401);
    });
  });

  describe('bad tokens get 401 with a clear message, never a 500', () => {
    it('malformed', () => expect401('not-a.jwt.at-all', /malformed/));
    it('not a bearer header', async () => {
      const res = await t.http().post('/graphql').set('authorization', 'Token abc').send({ query: VIEWER });
      expect(res.status).toBe(401);
      expect(res.body.errors[0].message).toMatch(/Bearer/);
    });
    it('expired', () => expect401(forge({ exp: Math.floor(Date.now() / 1000) - 60 }), /expired/));
    it('not yet valid (nbf)', () => expect401(forge({ nbf: Math.floor(Date.now() / 1000) + 600 }), /not yet valid/));
    it('wrong audience', () =>
      expect401(sign({ kind: 'LEARNER' }, ownKey().privateKeyPem, { algorithm: 'ES256', keyid: ownKey().kid, issuer: TEST_ISSUER, audience: 'someone-else', subject: 'x', expiresIn: 60 }), /audience/));
    it('wrong issuer', () =>
      expect401(sign({ kind: 'LEARNER' }, ownKey().privateKeyPem, { algorithm: 'ES256', keyid: ownKey().kid, issuer: 'https://evil.test', audience: TEST_AUDIENCE, subject: 'x', expiresIn: 60 }), /issuer/));
    it('alg none', () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const body = Buffer.from(JSON.stringify({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'x', kind: 'PROVIDER_STAFF', org: randomUUID(), exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
      return expect401(`${header}.${body}.`, /algorithm none is not accepted/);
    });
    it('HS256 signed with our public key (key confusion)', async () => {
      const jwks = (await t.http().get('/.well-known/jwks.json')).body;
      const { createPublicKey } = await import('node:crypto');
      const pem = createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: jwks.keys[0].kid })).toString('base64url');
      const body = Buffer.from(JSON.stringify({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'x', kind: 'PROVIDER_STAFF', org: randomUUID(), exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
      const { createHmac } = await import('node:crypto');
      const sig = createHmac('sha256', pem).update(`${header}.${body}`).digest('base64url');
      await expect401(`${header}.${body}.${sig}`, /algorithm HS256 is not accepted/);
    });
    it('unknown kid', () => expect401(forge({}, { kid: 'no-such-kid' }), /unknown signing key/));
    it('signed by a key that is not ours', () => {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
      return expect401(forge({}, { key: other }), /signature/);
    });
    it('a token without a valid actor kind', () => expect401(forge({ kind: 'ADMIN' }), /actor kind/));
  });

  it('no token: the operation answers UNAUTHENTICATED and no data', async () => {
    // HTTP 200 by design of @nestjs/apollo (a GraphQL response with a `data` key keeps 200);
    // a token that is present but invalid is refused with 401 before GraphQL runs.
    const res = await t.gql(undefined, VIEWER);
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.data).toBeNull();
  });

  describe("the learning platform's identity provider (JWKS)", () => {
    const idpToken = (sub: string, over: object = {}) =>
      sign({ kind: 'PROVIDER_STAFF', org: randomUUID(), ...over }, idpKeys.privateKey, { algorithm: 'RS256', keyid: idpKid, issuer: IDP_ISSUER, audience: TEST_AUDIENCE, subject: sub, expiresIn: 300 });

    it('a learner token from the IdP maps to the learner by subject id, and can never claim another kind', async () => {
      const learner = await w.learner({ externalSubjectId: 'lp|42' });
      const res = await t.gql(idpToken('lp|42'), VIEWER);
      expect(res.data.viewer).toEqual({ kind: 'LEARNER', subject: 'lp|42', organisationId: null, learnerId: learner.id });
    });

    it('an IdP subject with no learner, and an IdP key claiming our issuer, are refused', async () => {
      await expect401(idpToken('lp|unknown'), /no learner/);
      const spoof = sign({ kind: 'PROVIDER_STAFF', org: randomUUID() }, idpKeys.privateKey, { algorithm: 'RS256', keyid: idpKid, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, subject: 'x', expiresIn: 60 });
      await expect401(spoof, /algorithm RS256 is not accepted for this issuer/);
    });

    it('an IdP token with a kid the IdP does not publish is refused', () =>
      expect401(sign({}, idpKeys.privateKey, { algorithm: 'RS256', keyid: 'rotated-away', issuer: IDP_ISSUER, audience: TEST_AUDIENCE, subject: 'lp|42', expiresIn: 60 }), /unknown signing key/));
  });

  it('key rotation: the new key signs, tokens of the old key keep working until it is retired', async () => {
    const provider = await w.organisation('PROVIDER');
    const keys = t.app.get(SigningKeyService);
    const oldToken = t.token(staffClaims(provider.id));
    const oldKid = keys.signingKey().kid;
    const newKid = await keys.rotate();
    expect(keys.signingKey().kid).toBe(newKid);
    const jwks = (await t.http().get('/.well-known/jwks.json')).body.keys.map((k: { kid: string }) => k.kid);
    expect(jwks).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect((await t.gql(oldToken, VIEWER)).data.viewer.kind).toBe('PROVIDER_STAFF');
    expect((await t.gql(t.token(staffClaims(provider.id)), VIEWER)).data.viewer.kind).toBe('PROVIDER_STAFF');
    await keys.retire(oldKid);
    await expect401(oldToken, /unknown signing key/);
  });
});
