import DataLoader from 'dataloader';

/**
 * Per-request DataLoaders, created in the GraphQL context factory and thrown away with the
 * request: a field resolved for N parents costs one batched query, and nothing cached in one
 * request (which may belong to another tenant) is seen by the next.
 */
export class RequestLoaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();
  private readonly primed = new Map<string, Map<string, unknown>>();

  /**
   * A value already loaded elsewhere (the gate loads a page's results with its facts): `load`
   * answers it synchronously, and the loader of that name without a query.
   */
  prime(name: string, key: string, value: unknown): void {
    const values = this.primed.get(name) ?? new Map<string, unknown>();
    values.set(key, value);
    this.primed.set(name, values);
    this.loaders.get(name)?.prime(key, value);
  }

  /**
   * The value for `key`: synchronously when it was primed — a resolved field then costs no
   * promise, which on a 500-learner page is thousands of them — else through the batching loader.
   */
  load<V>(name: string, key: string, batch: (keys: readonly string[]) => Promise<Map<string, V>>, fallback?: () => V): V | Promise<V> {
    const primed = this.primed.get(name);
    if (primed?.has(key)) return primed.get(key) as V;
    return this.for(name, batch, fallback).load(key);
  }

  for<V>(name: string, batch: (keys: readonly string[]) => Promise<Map<string, V>>, fallback?: () => V): DataLoader<string, V> {
    let loader = this.loaders.get(name) as DataLoader<string, V> | undefined;
    if (!loader) {
      loader = new DataLoader<string, V>(
        async (keys) => {
          const found = await batch(keys);
          return keys.map((k) => (found.has(k) ? found.get(k)! : fallback ? fallback() : (null as V)));
        },
        // A page of 500 learners has ~1,500 enrolments: one batch, one query.
        { maxBatchSize: 10_000 },
      );
      this.loaders.set(name, loader);
      for (const [key, value] of this.primed.get(name) ?? []) loader.prime(key, value as V);
    }
    return loader;
  }
}

export interface GraphqlContext {
  req: import('express').Request;
  res: import('express').Response;
  loaders: RequestLoaders;
  /** How this request may see learner data (sharing/request-view.ts). */
  view: import('../../sharing/request-view').RequestView;
}
