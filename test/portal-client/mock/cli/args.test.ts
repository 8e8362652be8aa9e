// The CLI's argument parser on random argv: a parse or a UsageError, nothing else; and main()
// in process with captured output for the paths that need no data directory.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGmCryptoSuite } from '../../../../portal-client/crypto/gm-suite.js';
import { intOption, parseArgs, positionals, UsageError } from '../../../../portal-client/mock/cli/args.js';
import type { CliIo } from '../../../../portal-client/mock/cli/io.js';
import { main } from '../../../../portal-client/mock/cli.js';
import { until } from '../../../support/polling.js';

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    untilStopped: () => new Promise(() => undefined),
  };
}

const argWord = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('--dir', '--port', '--json', '--help', '-h', '--', '--port=', '--x=y', '--json=1'),
);

describe('parseArgs', () => {
  it('random argv → parsed args or a UsageError, and every value it keeps was in argv', () => {
    fc.assert(
      fc.property(fc.array(argWord, { maxLength: 8 }), (argv) => {
        try {
          const parsed = parseArgs(argv, { values: ['dir', 'port'], flags: ['json'] });
          for (const v of parsed.values.values()) expect(argv.some((a) => a === v || a.endsWith(`=${v}`))).toBe(true);
          for (const flag of parsed.flags) expect(['json', 'help']).toContain(flag);
          const port = (() => {
            try {
              return intOption(parsed, 'port', 0, 65535);
            } catch (error) {
              if (error instanceof UsageError) return null;
              throw error;
            }
          })();
          if (typeof port === 'number') expect(Number.isInteger(port) && port >= 0 && port <= 65535).toBe(true);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('options by name, with = or a separate value; a missing value and unknown options are usage errors', () => {
    const parsed = parseArgs(['a', '--port', '8443', '--dir=/x=y', '--json', 'b'], {
      values: ['dir', 'port'],
      flags: ['json'],
    });
    expect(parsed.positional).toEqual(['a', 'b']);
    expect(parsed.values.get('port')).toBe('8443');
    expect(parsed.values.get('dir')).toBe('/x=y');
    expect(parsed.flags.has('json')).toBe(true);
    expect(() => parseArgs(['--port'], { values: ['port'] })).toThrow(UsageError);
    expect(() => parseArgs(['--nope'], {})).toThrow(UsageError);
    expect(() => parseArgs(['--json=1'], { flags: ['json'] })).toThrow(UsageError);
    expect(() => intOption(parseArgs(['--port', '70000'], { values: ['port'] }), 'port', 0, 65535)).toThrow(UsageError);
    expect(() => positionals(parseArgs(['x', 'y'], {}), ['one'])).toThrow(UsageError);
    expect(() => positionals(parseArgs([], {}), ['one'])).toThrow(UsageError);
  });

  it('a usage error does not repeat the offending argument (it could be a pass code)', () => {
    const secret = 'PGC1.c2VjcmV0LXBhc3MtY29kZQ';
    try {
      positionals(parseArgs(['green', secret], {}), ['<keyword>']);
      throw new Error('expected a usage error');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).not.toContain(secret);
    }
  });
});

describe('main() in process', () => {
  it('no command → usage on stderr, exit 2; --help → exit 0; an unknown command → exit 2', async () => {
    const a = capture();
    expect(await main([], { io: a })).toBe(2);
    expect(a.err.join('\n')).toContain('usage: passgate-mock');
    const b = capture();
    expect(await main(['--help'], { io: b })).toBe(0);
    expect(b.out.join('\n')).toContain('register-device');
    const c = capture();
    expect(await main(['nope'], { io: c })).toBe(2);
  });

  it('every command has help that names --dir and exits 0', async () => {
    for (const command of [
      'serve',
      'residents',
      'issue',
      'idcard',
      'vendors',
      'register-device',
      'vendor',
      'faults',
      'expire-tokens',
      'stats',
    ]) {
      const io = capture();
      expect(await main([command, '--help'], { io }), command).toBe(0);
      expect(io.out.join('\n'), command).toContain('--dir');
    }
  });
});

describe('main() in process against a plain-HTTP serve', () => {
  it('serve --http records its URL, the admin commands reach it, refusals exit 3, and stop removes the records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-mock-cli-http-'));
    const crypto = createGmCryptoSuite();
    let stop: ((signal: string) => void) | undefined;
    const serveIo = capture();
    serveIo.untilStopped = () => new Promise((resolve) => (stop = resolve));
    const serving = main(['serve', '--http', '--json', '--dir', dir], { io: serveIo, crypto });
    try {
      await until(() => serveIo.out.length > 0, undefined, 'serve to print its URL');
      const info = JSON.parse(serveIo.out[0]) as { url: string; caPath: string | null };
      expect(info.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(info.caPath).toBeNull();
      expect(readFileSync(join(dir, 'url'), 'utf8').trim()).toBe(info.url);

      const run = async (...argv: string[]) => {
        const io = capture();
        const code = await main([...argv, '--dir', dir], { io, crypto });
        return { code, out: io.out.join('\n'), err: io.err.join('\n') };
      };
      const key = crypto.sm2GenerateKeyPair().publicKey.toString('hex');
      const reg = await run('register-device', 'WX-HTTP-1', key, '--json');
      expect(reg.code, reg.err).toBe(0);
      expect(JSON.parse(reg.out).via).toBe('admin-api');
      expect((await run('register-device', 'WX-HTTP-2', key, '--vendor', 'no-such-vendor')).code).toBe(3);
      expect((await run('faults', 'set', 'not json')).code).toBe(2);
      // An unknown field is a usage error, caught before anything is sent.
      const bogus = await run('faults', 'set', '{"bogus":1}');
      expect(bogus.code).toBe(2);
      expect(bogus.err).toMatch(/unknown fault bogus/);
      expect(JSON.parse((await run('faults', 'set', '{"latencyMs":5}')).out).latencyMs).toBe(5);
      expect(JSON.parse((await run('stats')).out).byPath['/admin/faults']).toBeGreaterThanOrEqual(1);
      // A wrong --url is a failure to reach the mock, not a silent edit of state.json.
      expect((await run('vendor', 'suspend', 'vendor-demo', '--url', 'http://127.0.0.1:1')).code).toBe(3);
    } finally {
      stop?.('SIGTERM');
      expect(await serving).toBe(0);
      expect(existsSync(join(dir, 'url'))).toBe(false);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
