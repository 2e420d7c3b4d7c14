import { uuid7 } from './uuid7';

describe('uuid7', () => {
  it('is an RFC 9562 version-7 UUID carrying the given milliseconds', () => {
    const at = Date.UTC(2026, 10, 25, 12, 0, 0, 123);
    const id = uuid7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts in time order across milliseconds and is unique within one', () => {
    const earlier = uuid7(1_000_000);
    const later = uuid7(1_000_001);
    expect(earlier < later).toBe(true);
    const same = new Set(Array.from({ length: 10_000 }, () => uuid7(1_000_000)));
    expect(same.size).toBe(10_000);
  });
});
