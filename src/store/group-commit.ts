/**
 * Group commit: many concurrent writers share one transaction. Each `write` waits until the
 * transaction holding its item has committed (nothing is acknowledged before it is durable), but
 * while one transaction runs, the next batch gathers, so under load the cost of a transaction is
 * paid once per batch instead of once per request.
 */

export interface GroupWriter<T> {
  /** Resolves once `item` is committed; rejects when its batch failed. */
  write(tenantId: string, item: T): Promise<void>;
}

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createGroupWriter<T>(
  commit: (tenantId: string, items: T[]) => Promise<void>,
  options: { maxBatch?: number } = {},
): GroupWriter<T> {
  const maxBatch = options.maxBatch ?? 200;
  const pending = new Map<string, Pending<T>[]>();
  const running = new Set<string>();

  const flush = async (tenantId: string): Promise<void> => {
    running.add(tenantId);
    try {
      for (;;) {
        const queue = pending.get(tenantId);
        if (!queue || queue.length === 0) break;
        const batch = queue.splice(0, maxBatch);
        try {
          await commit(
            tenantId,
            batch.map((p) => p.item),
          );
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      running.delete(tenantId);
      pending.delete(tenantId);
    }
  };

  return {
    write(tenantId, item) {
      return new Promise<void>((resolve, reject) => {
        const queue = pending.get(tenantId) ?? [];
        queue.push({ item, resolve, reject });
        pending.set(tenantId, queue);
        // The first writer starts the flush on the next turn, so writers arriving together share it.
        if (!running.has(tenantId) && queue.length === 1) setImmediate(() => void flush(tenantId));
      });
    },
  };
}
