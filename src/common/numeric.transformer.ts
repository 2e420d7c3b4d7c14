import type { ValueTransformer } from 'typeorm';

/** pg returns NUMERIC as a string to keep precision; scores and points fit a JS number. */
export const numericTransformer: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
