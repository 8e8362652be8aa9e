// `passgate-mock serve --strict` and `--deviate`, run in this process through main(): a request
// that deviates gets one stderr line with its section, and the test-only breaches are named
// on stderr when on and refused when unknown.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../portal-client/mock/cli.js';
import { createKitHttp } from '../../../../portal-client/mock/conformance/http-client.js';
import { PATHS } from '../../../../portal-client/protocol/constants.js';
import { crypto } from '../../../../scripts/lab/portal-fixture.js';
import { tempRoot } from '../../../support/cli.js';
import { until } from '../../../support/polling.js';

let root: ReturnType<typeof tempRoot>;
beforeAll(() => {
  root = tempRoot('pg-serve-strict-');
});
afterAll(() => root.remove());

/** `serve ARGS` in this process until stop() is called; its output as it comes. */
function serve(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const exited = main(['serve', ...args], {
    crypto,
    io: { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l), untilStopped: () => stopped },
  });
  return { stdout, stderr, exited, stop: () => stop('SIGTERM') };
}

describe('passgate-mock serve --strict', () => {
  it('reports a deviating request on stderr with its section, and names the test-only breaches', async () => {
    const dir = join(root.root, 'strict');
    const s = serve(['--strict', '--deviate', 'accept-replay', '--port', '0', '--http', '--dir', dir]);
    try {
      const urlLine = await until(() => s.stdout.find((l) => l.startsWith('url:')), undefined, 'the url line');
      expect(s.stdout).toContain('strict:       every deviation of a device request goes to stderr');
      expect(s.stderr).toContain('TEST ONLY: this mock accepts a nonce it has seen (no REPLAY) (--deviate)');
      const http = createKitHttp({ portalUrl: new URL(urlLine.slice(4).trim()), caPem: null, timeoutMs: 10_000 });
      try {
        expect((await http.send('POST', PATHS.authorize, '{"v":1,')).status).toBe(400);
      } finally {
        await http.close();
      }
      const line = await until(() => s.stderr.find((l) => l.startsWith('deviation ')), undefined, 'a deviation');
      expect(line).toBe('deviation §3 json.syntax (/passgate/v1/authorize): the request is not JSON');
    } finally {
      s.stop();
      expect(await s.exited).toBe(0);
    }
  });

  it('refuses an unknown --deviate (exit 2) and answers deviations only for a strict mock', async () => {
    const bad = serve(['--deviate', 'no-such-breach', '--dir', join(root.root, 'bad')]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr.join('\n')).toContain('unknown --deviate "no-such-breach"');

    const dir = join(root.root, 'plain');
    const s = serve(['--port', '0', '--dir', dir]);
    try {
      await until(() => s.stdout.find((l) => l.startsWith('url:')), undefined, 'the url line');
      const stderr: string[] = [];
      const io = {
        stdout: () => undefined,
        stderr: (l: string) => stderr.push(l),
        untilStopped: () => new Promise<string>(() => {}),
      };
      expect(await main(['deviations', '--dir', dir], { io })).toBe(3);
      expect(stderr.join('\n')).toContain('not strict');
    } finally {
      s.stop();
      await s.exited;
    }
  });
});
