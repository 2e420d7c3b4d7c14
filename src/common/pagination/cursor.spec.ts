import { DomainError } from '../errors/domain-error';
import { decodeCursor, encodeCursor } from './cursor';

describe('keyset cursors', () => {
  const id = '0b7c6a52-3f7e-4c1e-9d0a-2d5b8f1e6a90';

  it('round-trips an id and carries nothing else', () => {
    const cursor = encodeCursor(id);
    expect(decodeCursor(cursor)).toBe(id);
    expect(Buffer.from(cursor, 'base64url').toString()).toBe(`v1:${id}`);
  });

  it.each(['', 'garbage', Buffer.from('v1:not-a-uuid').toString('base64url'), Buffer.from(`v0:${id}`).toString('base64url')])(
    'rejects %p as BAD_USER_INPUT on the argument',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(DomainError);
      try {
        decodeCursor(cursor);
      } catch (e) {
        expect((e as DomainError).fields[0].field).toBe('after');
      }
    },
  );
});
