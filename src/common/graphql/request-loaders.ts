import DataLoader from 'dataloader';

/**
 * A typed name for one per-request loader: the module that owns the data declares it once
 * (e.g. `enrolments/enrolment-loaders.ts`), and whoever primes or reads that loader uses the
 * constant, so a value of the wrong type or a misspelt name does not compile.
 */
export interface LoaderKey<V> {
  readonly name: string;
  /** Type only: never set. */
  readonly valueType?: V;
}

export function loaderKey<V>(name: string): LoaderKey<V> {
  return { name };
}

/**
 * Per-request DataLoaders, created in the GraphQL context factory and thrown away with the
 * request: a field resolved for N parents costs one batched query, and nothing cached in one
 * request (which may belong to another tenant) is seen by the next.
 */
export class RequestLoaders {
  private readonly loaders = new Map<LoaderKey<unknown>, DataLoader<string, unknown>>();
  private readonly primed = new Map<LoaderKey<unknown>, Map<string, unknown>>();

  /**
   * A value already loaded elsewhere (a gated page loads its results with the gate's facts):
   * `load` answers it synchronously, and the loader without a query.
   */
  prime<V>(key: LoaderKey<V>, id: string, value: V): void {
    let values = this.primed.get(key);
    if (!values) this.primed.set(key, (values = new Map<string, unknown>()));
    values.set(id, value);
    this.loaders.get(key)?.prime(id, value);
  }

  /**
   * The value for `id`: synchronously when it was primed — a resolved field then costs no
   * promise, which on a 500-learner page is thousands of them — else through the batching loader.
   */
  load<V>(key: LoaderKey<V>, id: string, batch: (ids: readonly string[]) => Promise<Map<string, V>>, fallback?: () => V): V | Promise<V> {
    const primed = this.primed.get(key);
    if (primed?.has(id)) return primed.get(id) as V;
    return this.for(key, batch, fallback).load(id);
  }

  for<V>(key: LoaderKey<V>, batch: (ids: readonly string[]) => Promise<Map<string, V>>, fallback?: () => V): DataLoader<string, V> {
    let loader = this.loaders.get(key) as DataLoader<string, V> | undefined;
    if (!loader) {
      loader = new DataLoader<string, V>(
        async (ids) => {
          const found = await batch(ids);
          return ids.map((k) => (found.has(k) ? found.get(k)! : fallback ? fallback() : (null as V)));
        },
        // A page of 500 learners has ~1,500 enrolments: one batch, one query.
        { maxBatchSize: 10_000 },
      );
      this.loaders.set(key, loader);
      for (const [id, value] of this.primed.get(key) ?? []) loader.prime(id, value as V);
    }
    return loader;
  }
}
