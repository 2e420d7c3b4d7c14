import { generateClientSecret, hashClientSecret, verifyClientSecret } from './client-secret';

describe('client secrets', () => {
  it('verifies the secret it hashed and nothing else', async () => {
    const secret = generateClientSecret();
    const hash = await hashClientSecret(secret);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain(secret);
    await expect(verifyClientSecret(secret, hash)).resolves.toBe(true);
    await expect(verifyClientSecret(`${secret}x`, hash)).resolves.toBe(false);
    await expect(verifyClientSecret(secret, 'plain$text')).resolves.toBe(false);
  });

  it('salts: the same secret hashes differently twice', async () => {
    const secret = generateClientSecret();
    expect(await hashClientSecret(secret)).not.toBe(await hashClientSecret(secret));
  });
});
