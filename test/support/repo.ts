// Where the repository and its command entry points are, for tests that run them as child
// processes. One place, so moving a test never breaks a relative path.
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const PASSGATE_BIN = fileURLToPath(new URL('../../scripts/bin/passgate.mjs', import.meta.url));
export const PASSGATE_MOCK_BIN = fileURLToPath(new URL('../../scripts/bin/passgate-mock.mjs', import.meta.url));
