// `passgate bind <venueCode>` / `passgate rebind <venueCode>`: binds through the portal directly.
// With `--scan`, the running daemon switches into bind mode and takes the next venue code its own
// scanner reads; this command holds its connection to the daemon open meanwhile, and when it goes
// away (Ctrl-C, SIGTERM, a lost terminal) the daemon ends bind mode at once.
//
// A bind the portal made but this device could not save says so, and running the same command
// again saves it: the portal's "already bound" to this very venue counts as success.
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { ConfigStore } from '../config/store.js';
import { type ErrorCode, type ErrorDetails, isPassgateError } from '../core/errors.js';
import type { TimeoutTable } from '../core/timeouts.js';
import { bindAtPortal } from '../daemon/bind-at-portal.js';
import { type BindingSummary, boundSettings, storedBinding } from '../daemon/binding-settings.js';
import { type ControlMessage, openDaemonSession } from '../daemon/control-socket.js';
import { isProvisioned, portalClientFromConfig, timeoutsFromConfig } from '../daemon/device-identity.js';
import type { BindMode } from '../gate/model.js';
import { type ArgSpec, problem, readCommandArgs, usageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { reportError, reportFailure, reportMessage } from './failures.js';
import type { CommandOutput } from './io.js';
import { CONTACTING_PORTAL, withProgress } from './progress.js';
import { bindUsage } from './usages.js';

const CATEGORY_TEXT: Record<string, string> = {
  transport: '公共交通 / public transport',
  enterprise: '企事业单位 / enterprise or institution',
  'public-place': '人员密集场所 / crowded public place',
  residential: '居民小区 / residential community',
};

/** The options of bind and rebind (the README's command table is checked against these). */
export const BIND_OPTIONS: ArgSpec = { flags: ['scan', 'json'], positionals: 1 };

interface VenueFacts {
  code: string;
  name: string;
  category: string;
}

export async function runBindCommand(
  mode: BindMode,
  store: ConfigStore,
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
): Promise<number> {
  const usage = bindUsage(mode);
  const read = readCommandArgs(args, BIND_OPTIONS, usage, out);
  if (read.exit !== undefined) return read.exit;
  const parsed = read.args;
  const scan = parsed.flags.has('scan');
  if (parsed.positional.length !== (scan ? 0 : 1)) {
    const why = scan
      ? problem('usage.extra-argument', '使用 --scan 时不要再写场所码', '--scan takes no venue code')
      : problem('usage.missing-argument', '缺少场所码（或 --scan）', 'no venue code (or --scan) given');
    return usageError(out, usage, why);
  }
  if (!isProvisioned(store)) return reportFailure(out, 'config.not-provisioned');
  const timeouts = timeoutsFromConfig(store);
  const json = parsed.flags.has('json');
  if (scan) return bindByScan(mode, store, dataDir, timeouts, json, out);

  const client = await portalClientFromConfig(store, dataDir, { crypto, timeouts });
  try {
    const venueCode = parsed.positional[0];
    const result = await withProgress(out, CONTACTING_PORTAL, () => bindAtPortal(client, mode, venueCode));
    try {
      store.setMany(boundSettings(result.venue, new Date(result.boundAt)));
    } catch (error) {
      if (!isPassgateError(error)) throw error;
      return reportNotSaved(out, mode, error.code, error.message);
    }
    return report(out, json, mode, result.venue, result.alreadyBound);
  } catch (error) {
    if (!isPassgateError(error)) throw error;
    const exit = reportError(out, error);
    reportCurrentVenue(out, error.details, storedBinding(store));
    return exit;
  } finally {
    await client.close();
  }
}

async function bindByScan(
  mode: BindMode,
  store: ConfigStore,
  dataDir: string,
  timeouts: TimeoutTable,
  json: boolean,
  out: CommandOutput,
): Promise<number> {
  const before = storedBinding(store);
  const session = openDaemonSession(dataDir, { cmd: 'bind-scan', mode }, (message) => {
    if (message.event === 'bind-mode') {
      const seconds = Math.round(Number(message.ms) / 1000);
      out.stderr(`请用闸机扫描场所码 / scan the venue code with the gate's scanner (${seconds} s)`);
    } else if (message.event === 'not-venue-code') {
      out.stderr('扫描的不是场所码，请扫描场所码 / that was not a venue code: scan the venue code');
    }
  });
  // The daemon ends bind mode itself; this only bounds the wait for a daemon that never answers.
  const giveUp = setTimeout(
    () => session.close(),
    timeouts.bindModeMs + timeouts.adminDeadlineMs + timeouts.bindScanGraceMs,
  );
  const { connected, answer } = await session.ended;
  clearTimeout(giveUp);
  if (!connected) return reportFailure(out, 'daemon.not-running');
  if (answer === null || answer.event !== 'bind-finished') {
    // No answer: the daemon stopped, or is starting (it says so), or this command gave up.
    if (answer && typeof answer.error === 'string') return reportFailure(out, 'daemon.not-running', answer.error);
    return reportFailure(out, 'gate.bind-timeout');
  }
  const venue = venueOf(answer);
  // The daemon keeps this device's binding as the portal has it: the same venue as before is
  // the portal's "already bound" to this very venue.
  const same = mode === 'bind' && before?.venueCode === venue?.code;
  if (answer.ok === true && venue) return report(out, json, mode, venue, same);
  const code = errorCodeOf(answer);
  if (answer.savedLocally === false) return reportNotSaved(out, mode, code);
  const exit = reportFailure(out, code);
  reportCurrentVenue(out, {}, storedBinding(store));
  return exit;
}

function venueOf(answer: ControlMessage): VenueFacts | null {
  const venue = answer.venue as Partial<VenueFacts> | undefined;
  if (!venue || typeof venue.code !== 'string' || typeof venue.name !== 'string') return null;
  return { code: venue.code, name: venue.name, category: String(venue.category ?? '') };
}

function errorCodeOf(answer: ControlMessage): ErrorCode {
  return typeof answer.code === 'string' ? (answer.code as ErrorCode) : 'gate.bind-timeout';
}

/** Bound at the portal, not in this device's config: say so, and that the same command saves it. */
function reportNotSaved(out: CommandOutput, mode: BindMode, code: ErrorCode, detail?: string): number {
  const why = `${code}${detail ? `: ${detail}` : ''}`;
  return reportMessage(out, code, {
    zh: `门户平台已绑定，但本机保存失败（${why}）；请再次运行 passgate ${mode} 以保存`,
    en: `bound at the portal, but saving the binding on this device failed (${why}); run \`passgate ${mode}\` again to save it`,
  });
}

function report(out: CommandOutput, json: boolean, mode: string, venue: VenueFacts, alreadyBound = false): number {
  if (json) {
    const facts = { code: venue.code, name: venue.name, category: venue.category };
    out.stdout(JSON.stringify({ ok: true, mode, ...(alreadyBound ? { alreadyBound } : {}), venue: facts }));
  } else {
    const done = alreadyBound
      ? '已绑定该场所，无需更改 / already bound to this venue'
      : mode === 'bind'
        ? '绑定成功 / bound'
        : '更换绑定成功 / rebound';
    out.stdout(`${done}: ${venue.name} (${venue.code})`);
    out.stdout(`场所类别 / category: ${CATEGORY_TEXT[venue.category] ?? venue.category}`);
  }
  return EXIT.ok;
}

/**
 * After a refusal: the venue the gate is bound to, so the technician sees what a rebind would
 * replace. The portal's word (an already-bound refusal carries it) over this device's copy.
 */
function reportCurrentVenue(out: CommandOutput, details: ErrorDetails, local: BindingSummary | null): void {
  const code = typeof details.boundVenueCode === 'string' ? details.boundVenueCode : local?.venueCode;
  const name = typeof details.boundVenueName === 'string' ? details.boundVenueName : local?.venueName;
  if (code) out.stderr(`当前绑定场所 / currently bound to: ${name ? `${name} (${code})` : code}`);
}
