// PostGraphile 5 uses Promise.withResolvers (Node 22+). On Node 20 this one-line polyfill,
// loaded with `node -r`, is all it needs. Only the benchmark's peer process loads it.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
}
