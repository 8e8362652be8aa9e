// §8's last rules: a request that never reaches the protocol gets a plaintext BAD_REQUEST with the
// HTTP layer's own status.
import { MAX_BODY_BYTES, PATHS } from '../../protocol/constants.js';
import { HTTP_LEVEL_BAD_REQUEST_STATUS } from '../../protocol/http-status.js';
import type { ConformanceCheck } from './check.js';

export const HTTP_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'http.unknown-path',
    section: '§3 §8',
    title: 'a POST to an unknown path → plaintext BAD_REQUEST (404)',
    async run(ctx) {
      const answer = await ctx.http.send('POST', '/passgate/v1/no-such-interface', '{}');
      ctx.expectPlainError(answer, 'BAD_REQUEST', HTTP_LEVEL_BAD_REQUEST_STATUS.unknownPath);
    },
  },
  {
    id: 'http.not-post',
    section: '§3 §8',
    title: 'a GET of an interface → plaintext BAD_REQUEST (405)',
    async run(ctx) {
      const answer = await ctx.http.send('GET', PATHS.authorize, null);
      ctx.expectPlainError(answer, 'BAD_REQUEST', HTTP_LEVEL_BAD_REQUEST_STATUS.notPost);
    },
  },
  {
    id: 'http.too-large',
    section: '§3 §8',
    title: 'a body over 64 KiB → plaintext BAD_REQUEST (413)',
    async run(ctx) {
      const body = JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) });
      const answer = await ctx.http.send('POST', PATHS.authorize, body);
      ctx.expectPlainError(answer, 'BAD_REQUEST', HTTP_LEVEL_BAD_REQUEST_STATUS.tooLarge);
    },
  },
];
