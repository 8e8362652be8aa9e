// `passgate-mock` for integrators, in process through main(): the venue list and venue-code PNGs
// for `bind --scan`, a port kept across restarts, fault paths that are checked, refusals that
// name what was refused, --json on every command, and help that explains every keyword.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSymbolDecoders } from '../../../../drivers/symbols/default-decoders.js';
import { readImageFile } from '../../../../drivers/symbols/image-file.js';
import { createGmCryptoSuite } from '../../../../portal-client/crypto/gm-suite.js';
import { main } from '../../../../portal-client/mock/cli.js';
import {
  DEMO_KEYWORD_MEANINGS,
  DEMO_PASS_CODE_KEYWORDS,
  DEMO_RESIDENT_KEYWORDS,
  demoVenues,
} from '../../../../portal-client/mock/domain/demo-dataset.js';
import { FAULT_PATHS } from '../../../../portal-client/mock/faults.js';
import { tempRoot } from '../../../support/cli.js';
import { until } from '../../../support/polling.js';

const crypto = createGmCryptoSuite();
const tmp = tempRoot('pg-mock-integrator-');
afterAll(() => tmp.remove());
const dir = join(tmp.root, 'mock');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv, '--dir', dir], {
    io: { stdout: (l) => out.push(l), stderr: (l) => err.push(l), untilStopped: () => new Promise(() => undefined) },
    crypto,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** `serve --http` in process until `stop()`; its JSON info line once it listens. */
async function serve(...argv: string[]) {
  const out: string[] = [];
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const exited = main(['serve', '--http', '--json', '--dir', dir, ...argv], {
    io: { stdout: (l) => out.push(l), stderr: () => undefined, untilStopped: () => stopped },
    crypto,
  });
  const line = await Promise.race([
    until(() => out[0], 20_000, 'serve to listen'),
    exited.then((code) => {
      throw new Error(`serve exited with ${code}`);
    }),
  ]);
  const info = JSON.parse(line) as { url: string; protocolDocument: string };
  return {
    info,
    port: Number(new URL(info.url).port),
    async stop() {
      stop('SIGTERM');
      return exited;
    },
  };
}

async function decodedText(png: string): Promise<string[]> {
  const image = await readImageFile(png);
  return (await Promise.all((await defaultSymbolDecoders()).map((d) => d.decode(image)))).flat().map((s) => s.text);
}

describe('venues', () => {
  it('lists every venue code with its category and presets, as text and as JSON', async () => {
    const json = await run('venues', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(
      demoVenues().map((v) => ({
        code: v.venueCode,
        name: v.name,
        category: v.category,
        natValidityHours: v.natValidityHours,
        vaccinationDoses: v.vaccinationDoses,
      })),
    );
    const text = await run('venues');
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines).toHaveLength(1 + demoVenues().length);
    const nat24 = demoVenues().find((v) => v.natValidityHours === 24 && v.vaccinationDoses === 3)!;
    expect(lines.find((l) => l.startsWith(nat24.venueCode))).toMatch(/ 24 h +3 doses /);
  });

  it('writes a venue code as a QR or Grid Matrix PNG that reads back as exactly that code', async () => {
    const venue = demoVenues()[3].venueCode;
    for (const symbology of ['qr', 'grid-matrix'] as const) {
      const png = join(tmp.root, `venue-${symbology}.png`);
      const extra = symbology === 'grid-matrix' ? ['--grid-matrix'] : [];
      const written = await run('venues', venue, '--png', png, '--json', ...extra);
      expect(written.code, written.stderr).toBe(0);
      expect(JSON.parse(written.stdout)).toEqual({ code: venue, png });
      expect(await decodedText(png)).toContain(venue);
    }
    const unknown = await run('venues', 'no-such-venue', '--png', join(tmp.root, 'never.png'));
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('no venue no-such-venue')]);
    expect((await run('venues', '--png', join(tmp.root, 'never.png'))).code).toBe(2);
  }, 30_000);
});

describe('serve keeps its port', () => {
  it('a restart without --port listens on the port of the last run; --port 0 picks a new one', async () => {
    const first = await serve();
    expect(first.info.protocolDocument).toMatch(/^[0-9]+\.[0-9]+$/);
    expect(await first.stop()).toBe(0);
    expect(readFileSync(join(dir, 'port'), 'utf8').trim()).toBe(String(first.port));
    const second = await serve();
    expect(second.port).toBe(first.port);

    // While it runs: refusals name what was refused, through the admin API as in the file.
    const key = crypto.sm2GenerateKeyPair().publicKey.toString('hex');
    const unknownVendor = await run('register-device', 'WX-INTEG-1', key, '--vendor', 'nope');
    expect([unknownVendor.code, unknownVendor.stderr]).toEqual([3, expect.stringMatching(/unknown vendor nope/)]);
    const suspendNobody = await run('vendor', 'suspend', 'nobody');
    expect(suspendNobody.stderr).toMatch(/unknown vendor nobody/);
    const registered = await run('register-device', 'WX-INTEG-1', key, '--json');
    expect(JSON.parse(registered.stdout)).toMatchObject({ via: 'admin-api', replaced: false });
    const rekeyed = await run('register-device', 'WX-INTEG-1', crypto.sm2GenerateKeyPair().publicKey.toString('hex'));
    expect(rekeyed.stdout).toMatch(/replaced the key of WX-INTEG-1.*sessions of the old key end/);
    expect(await second.stop()).toBe(0);

    const third = await serve('--port', '0');
    await third.stop();
    expect(readFileSync(join(dir, 'port'), 'utf8').trim()).toBe(String(third.port));
  }, 60_000);
});

describe('faults', () => {
  it('--help lists the valid fault paths; set refuses an unknown path or field before sending', async () => {
    const help = await run('faults', '--help');
    for (const path of FAULT_PATHS) expect(help.stdout).toContain(path);
    expect(help.stdout).toMatch(/sealedError/);
    const typo = await run('faults', 'set', '{"httpStatus":503,"paths":["/passgate/v1/verfy/pass-code"]}');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /unknown fault path "\/passgate\/v1\/verfy\/pass-code"; valid: \/passgate\/v1\/authorize/,
    );
    expect((await run('faults', 'set', '{"latency":5}')).stderr).toMatch(/unknown fault latency/);
  });
});

describe('every command', () => {
  it('takes --json, and idcard prints JSON with it', async () => {
    const help = await run('--help');
    const names = help.stdout
      .split('\n')
      .filter((l) => /^ {2}[a-z-]+ {2}/.test(l))
      .map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toContain('venues');
    expect(names.length).toBeGreaterThanOrEqual(11);
    for (const name of names) expect((await run(name, '--json', '--help')).code, name).toBe(0);
    const card = await run('idcard', 'red', '--json');
    expect(card.code, card.stderr).toBe(0);
    expect(JSON.parse(card.stdout)).toMatchObject({ cardType: 'resident' });
  });

  it("issue's and idcard's help explain every keyword", async () => {
    const issue = (await run('issue', '--help')).stdout;
    for (const keyword of DEMO_PASS_CODE_KEYWORDS) {
      expect(issue).toMatch(new RegExp(`^ {2}${keyword} +${escapeRegExp(DEMO_KEYWORD_MEANINGS[keyword])}$`, 'm'));
    }
    expect(issue).toMatch(/nat-24h +PASS; NAT negative 36 h ago: invalid only at the 24 h venues/);
    const idcard = (await run('idcard', '--help')).stdout;
    for (const keyword of [...DEMO_RESIDENT_KEYWORDS, 'unknown'])
      expect(idcard).toMatch(new RegExp(`^ {2}${keyword} `, 'm'));
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
