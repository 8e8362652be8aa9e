// A fresh config store in its own temporary directory for each test of a file, closed and
// removed after it (vitest hooks registered by the call).
import { afterEach, beforeEach } from 'vitest';
import { ConfigStore } from '../../firmware/config/store.js';
import { tempRoot } from './cli.js';

export interface TempStore {
  /** The data directory of the current test. */
  readonly dir: string;
  readonly store: ConfigStore;
}

export function tempConfigStore(prefix: string): TempStore {
  let tmp: ReturnType<typeof tempRoot> | undefined;
  let store: ConfigStore | undefined;
  beforeEach(() => {
    tmp = tempRoot(prefix);
    store = ConfigStore.open(tmp.root);
  });
  afterEach(() => {
    store?.close(); // closing twice is harmless: a test may close it to see storage errors
    tmp?.remove();
  });
  return {
    get dir() {
      return tmp!.root;
    },
    get store() {
      return store!;
    },
  };
}
