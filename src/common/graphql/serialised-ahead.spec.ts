import { serialiseAhead, stringifyResult } from './serialised-ahead';

/** What Apollo hands stringifyResult: the result's fields in its order (runHttpQuery's orderExecutionResultFields). */
const asApolloHandsIt = (r: { data?: Record<string, unknown> | null; errors?: never[]; extensions?: Record<string, unknown> }) => ({
  errors: r.errors,
  data: r.data,
  extensions: r.extensions,
});

describe('serialising a response ahead', () => {
  it('hands Apollo the text made ahead, once, equal to what Apollo would write', () => {
    const result = { data: { learners: { nodes: [{ id: 'l1', name: 'Ada' }] } } };
    serialiseAhead(result);
    const expected = `${JSON.stringify(asApolloHandsIt(result))}\n`;
    // Changed after it was serialised: the text made ahead is what goes out (nothing changes data in place).
    result.data.learners.nodes[0].name = 'changed';
    expect(stringifyResult(asApolloHandsIt(result))).toBe(expected);
    // Taken once: a second call serialises what is there now.
    expect(stringifyResult(asApolloHandsIt(result))).toBe(`${JSON.stringify({ data: result.data })}\n`);
  });

  it('writes the extensions after the data, as Apollo does', () => {
    const result = { data: { a: 1 }, extensions: { cost: { requested: 3 } } };
    serialiseAhead(result);
    result.data.a = 2;
    expect(stringifyResult(asApolloHandsIt(result))).toBe('{"data":{"a":1},"extensions":{"cost":{"requested":3}}}\n');
  });

  it('serialises afresh a result whose data was replaced, or which gained errors or other extensions', () => {
    const result: { data: Record<string, unknown> | null; errors?: never[]; extensions?: Record<string, unknown> } = { data: { a: 1 } };
    serialiseAhead(result);
    const replaced = { ...result, data: null, errors: [] as never[] };
    expect(stringifyResult(asApolloHandsIt(replaced))).toBe('{"errors":[],"data":null}\n');
    const errors = { ...result, errors: [] as never[] };
    expect(stringifyResult(asApolloHandsIt(errors))).toBe('{"errors":[],"data":{"a":1}}\n');
    const extended = { ...result, extensions: { cost: 3 } };
    expect(stringifyResult(asApolloHandsIt(extended))).toBe('{"data":{"a":1},"extensions":{"cost":3}}\n');
  });

  it('keeps nothing for a result with errors', () => {
    const data = { a: 1 };
    serialiseAhead({ data, errors: [{ message: 'x' }] });
    data.a = 2;
    expect(stringifyResult({ data })).toBe('{"data":{"a":2}}\n');
  });
});
