import type { SeedRecord, SeedStore } from '../../lib/wallet-seed.js';

/**
 * The seed in its own IndexedDB database, apart from the SDK's wallet/contract repositories (which hold only
 * public state: VTXOs, scripts, contracts) so clearing those caches can never touch the seed.
 */
export const SEED_DB = 'hashperp-wallet-seed';
const STORE = 'seed';
const KEY = 'current';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(SEED_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB open failed'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this site'));
  });
}

async function run<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = op(tx.objectStore(STORE));
      let value: T;
      req.onsuccess = () => void (value = req.result);
      // Resolved on commit, not on the request: a write is durable only once its transaction completes.
      tx.oncomplete = () => resolve(value);
      tx.onerror = () => reject(tx.error ?? req.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export function indexedDbSeedStore(): SeedStore {
  return {
    get: () => run('readonly', (s) => s.get(KEY)),
    put: async (r: SeedRecord) => void (await run('readwrite', (s) => s.put(r, KEY))),
    clear: async () => void (await run('readwrite', (s) => s.delete(KEY))),
  };
}
