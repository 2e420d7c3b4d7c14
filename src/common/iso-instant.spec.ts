import fc from 'fast-check';
import { isoInstant } from './iso-instant';

describe('isoInstant', () => {
  it('writes any instant exactly as Date#toISOString does', () => {
    const edges = [0, -1, 1, Date.parse('0000-01-01T00:00:00.000Z'), Date.parse('0000-01-01T00:00:00.000Z') - 1, Date.parse('9999-12-31T23:59:59.999Z'), Date.parse('+010000-01-01T00:00:00.000Z'), Date.parse('2024-02-29T23:59:59.999Z'), Date.parse('1900-03-01T00:00:00Z'), 8.64e15, -8.64e15];
    for (const ms of edges) expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: Date.parse('1900-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') })), (ms) => {
        expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('leaves what is not a whole number of milliseconds to Date (fractions, invalid instants)', () => {
    expect(isoInstant(1.5)).toBe(new Date(1.5).toISOString());
    expect(() => isoInstant(Number.NaN)).toThrow(RangeError);
    expect(() => isoInstant(Infinity)).toThrow(RangeError);
  });
});
