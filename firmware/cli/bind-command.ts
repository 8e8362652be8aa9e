// `passgate bind <venueCode>` / `passgate rebind <venueCode>`: binds through the portal directly.
// With `--scan`, the running daemon switches into bind mode and takes the next code its own
// scanner reads as the venue code; this command waits for the daemon's answer.
import { randomUUID } from 'node:crypto';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { BindResult } from '../../portal-client/protocol/messages.js';
import type { ConfigStore } from '../config/store.js';
import { isPassgateError } from '../core/errors.js';
import { boundSettings } from '../daemon/binding-settings.js';
import { askDaemon } from '../daemon/control-socket.js';
import { isProvisioned, portalClientFromConfig, timeoutsFromConfig } from '../daemon/device-identity.js';
import { type CommandUsage, readCommandArgs, usageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { reportFailure } from './failures.js';
import type { CommandOutput } from './io.js';

const CATEGORY_TEXT: Record<string, string> = {
  transport: '公共交通 / public transport',
  enterprise: '企事业单位 / enterprise or institution',
  'public-place': '人员密集场所 / crowded public place',
  residential: '居民小区 / residential community',
};

export async function runBindCommand(
  mode: 'bind' | 'rebind',
  store: ConfigStore,
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<number> {
  const usage: CommandUsage = { lines: [`usage: passgate ${mode} <venueCode> | passgate ${mode} --scan [--json]`] };
  const read = readCommandArgs(args, { flags: ['scan', 'json'] }, usage, out);
  if (read.exit !== undefined) return read.exit;
  const parsed = read.args;
  const scan = parsed.flags.has('scan');
  if (parsed.positional.length !== (scan ? 0 : 1)) return usageError(out, usage);
  if (!isProvisioned(store)) return reportFailure(out, 'config.not-provisioned');
  const timeouts = timeoutsFromConfig(store);
  const json = parsed.flags.has('json');

  if (scan) {
    if ((await askDaemon(dataDir, { cmd: 'status' }, timeouts.controlSocketMs)) === null) {
      return reportFailure(out, 'daemon.not-running');
    }
    const requestId = randomUUID();
    store.setMany({ 'binding.scanRequest': mode, 'binding.scanRequestId': requestId, 'binding.scanResult': null });
    out.stderr(
      `请用闸机扫描场所码 / scan the venue code with the gate's scanner (${Math.round(timeouts.bindModeMs / 1000)} s)`,
    );
    const deadline = Date.now() + timeouts.bindModeMs + timeouts.bindScanGraceMs;
    while (Date.now() < deadline) {
      const result = store.get('binding.scanResult');
      if (result && result.requestId === requestId) {
        if (!result.ok) return reportFailure(out, result.errorCode ?? 'gate.bind-timeout');
        return report(out, json, mode, {
          code: store.get('binding.venueCode'),
          name: result.venueName ?? '',
          category: result.venueCategory ?? '',
        });
      }
      await sleep(timeouts.bindScanPollMs);
    }
    store.setMany({ 'binding.scanRequest': '' });
    return reportFailure(out, 'gate.bind-timeout');
  }

  const client = await portalClientFromConfig(store, dataDir, { crypto, timeouts });
  try {
    const venueCode = parsed.positional[0];
    const result: BindResult = mode === 'bind' ? await client.bind(venueCode) : await client.rebind(venueCode);
    store.setMany(boundSettings(result.venue, new Date(result.boundAt)));
    return report(out, json, mode, result.venue);
  } catch (error) {
    if (isPassgateError(error)) return reportFailure(out, error.code);
    throw error;
  } finally {
    await client.close();
  }
}

function report(
  out: CommandOutput,
  json: boolean,
  mode: string,
  venue: { code: string; name: string; category: string },
): number {
  if (json) {
    out.stdout(
      JSON.stringify({ ok: true, mode, venue: { code: venue.code, name: venue.name, category: venue.category } }),
    );
  } else {
    out.stdout(`${mode === 'bind' ? '绑定成功 / bound' : '更换绑定成功 / rebound'}: ${venue.name} (${venue.code})`);
    out.stdout(`场所类别 / category: ${CATEGORY_TEXT[venue.category] ?? venue.category}`);
  }
  return EXIT.ok;
}
