// `passgate status [--json] [--offline]`: identity, binding, portal reachability and clock offset,
// token validity, drivers, and counters per outcome since the daemon started. Never personal data.

import type { PortalClient } from '../../portal-client/client.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { ConfigStore } from '../config/store.js';
import { type ErrorCode, isPassgateError } from '../core/errors.js';
import { passgateVersion } from '../core/version.js';
import { storedBinding } from '../daemon/binding-settings.js';
import { askDaemon } from '../daemon/control-socket.js';
import { isProvisioned, portalClientFromConfig, timeoutsFromConfig } from '../daemon/device-identity.js';
import { type ArgSpec, readCommandArgs } from './args.js';
import { EXIT } from './exit-codes.js';
import { errorObject, failureFor, failureForCheck, failureMessage, responseCheckOf } from './failures.js';
import type { CommandOutput } from './io.js';
import { CONTACTING_PORTAL, withProgress } from './progress.js';
import { STATUS_USAGE } from './usages.js';

export interface PortalProbe {
  reachable: boolean;
  clockOffsetMs: number | null;
  errorCode: string | null;
  /** For portal.auth-failed: the check the portal's answer failed ('mac', 'timestamp', 'tls'), if that was it. */
  responseCheck: string | null;
  portalSaysBound: boolean | null;
  /** The venue the portal has this device bound to (null: none, or not asked). */
  portalVenueCode: string | null;
}

/** The options of status (the README's command table is checked against these). */
export const STATUS_ARGS: ArgSpec = { flags: ['json', 'offline', 'mender-inventory'], positionals: 0 };

const NOT_CONTACTED = new Set(['portal.unreachable', 'portal.timeout', 'portal.insecure-url']);

/** A live authorize from the CLI: proves reachability, identity and the clock offset. */
export async function probePortal(store: ConfigStore, dataDir: string, crypto: CryptoSuite): Promise<PortalProbe> {
  let client: PortalClient | undefined;
  try {
    client = await portalClientFromConfig(store, dataDir, { crypto, timeouts: timeoutsFromConfig(store) });
    const summary = await client.authorize();
    return {
      reachable: true,
      clockOffsetMs: Math.round(summary.clockOffsetMs),
      errorCode: null,
      responseCheck: null,
      portalSaysBound: summary.binding !== null,
      portalVenueCode: summary.binding?.code ?? null,
    };
  } catch (error) {
    const code = isPassgateError(error) ? error.code : 'unknown';
    // Only a portal.* refusal proves the portal answered; a broken key file or an http:// URL
    // without the dev flag fails before any request is sent.
    const reachable = code.startsWith('portal.') && !NOT_CONTACTED.has(code);
    const responseCheck = isPassgateError(error) ? responseCheckOf(error) : null;
    return {
      reachable,
      clockOffsetMs: null,
      errorCode: code,
      responseCheck,
      portalSaysBound: null,
      portalVenueCode: null,
    };
  } finally {
    await client?.close();
  }
}

export async function runStatusCommand(
  store: ConfigStore,
  dataDir: string,
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
): Promise<number> {
  const read = readCommandArgs(args, STATUS_ARGS, STATUS_USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const parsed = read.args;
  const provisioned = isProvisioned(store);
  const daemon = await askDaemon(dataDir, { cmd: 'status' }, timeoutsFromConfig(store).controlSocketMs);
  if (parsed.flags.has('mender-inventory')) {
    for (const line of inventoryLines(provisioned, storedBinding(store), daemon)) out.stdout(line);
    return EXIT.ok;
  }
  const portal =
    provisioned && !parsed.flags.has('offline')
      ? await withProgress(out, CONTACTING_PORTAL, () => probePortal(store, dataDir, crypto))
      : null;
  const binding = storedBinding(store);
  const problem = whyCannotVerify(provisioned, binding !== null, portal, daemon !== null);
  const status = {
    version: passgateVersion(),
    deviceId: store.get('identity.deviceId') || null,
    provisioned,
    binding,
    portal,
    daemon: daemon === null ? { running: false } : { running: true, ...daemon },
    canVerify: problem === null,
    problem,
  };
  const exit = problem === null ? EXIT.ok : failureFor(problem).exit;
  if (parsed.flags.has('json')) {
    // The status is data even when the gate cannot verify: one object, with the error of every
    // command's --json failure beside it.
    out.stdout(
      JSON.stringify(problem === null ? status : { ...status, ...errorObject(problem, failureMessage(problem)) }),
    );
    return exit;
  }
  printStatus(out, status, portal, daemon);
  if (problem === null) out.stdout('结论 / verdict:           可以核验 / the gate can verify');
  else {
    const f = failureForCheck(problem, portal?.responseCheck);
    out.stdout(`结论 / verdict:           无法核验 / cannot verify: ${f.zh} / ${f.en}`);
  }
  return exit;
}

/**
 * The first reason the gate cannot verify anyone now, as an error code (its exit code from
 * failures.ts), or null. The order is the order a technician fixes them in.
 */
export function whyCannotVerify(
  provisioned: boolean,
  bound: boolean,
  portal: PortalProbe | null,
  daemonRunning: boolean,
): ErrorCode | null {
  if (!provisioned) return 'config.not-provisioned';
  // The portal's refusal first: an unregistered device cannot be bound either.
  if (portal?.errorCode) return portal.errorCode as ErrorCode;
  if (!bound) return 'portal.not-bound';
  // Bound here, not at the portal (rebound elsewhere, or the portal's record was reset).
  if (portal?.portalSaysBound === false) return 'portal.not-bound';
  if (!daemonRunning) return 'daemon.not-running';
  return null;
}

function printStatus(
  out: CommandOutput,
  status: { version: string; deviceId: string | null; binding: ReturnType<typeof storedBinding> },
  portal: PortalProbe | null,
  daemon: Record<string, unknown> | null,
): void {
  out.stdout(`版本 / version:           passgate ${status.version}`);
  out.stdout(`设备身份码 / device id:   ${status.deviceId ?? '(未初始化 / not provisioned)'}`);
  out.stdout(
    `绑定场所 / venue:         ${status.binding ? `${status.binding.venueName} (${status.binding.venueCode}, ${status.binding.venueCategory})` : '(未绑定 / not bound)'}`,
  );
  if (portal) {
    const state = portal.reachable
      ? '拒绝 / refused'
      : portal.errorCode?.startsWith('portal.')
        ? '不可达 / unreachable'
        : '未能询问 / not asked';
    out.stdout(
      `门户平台 / portal:        ${portal.reachable && !portal.errorCode ? '可达 / reachable' : `${state} (${portal.errorCode})`}`,
    );
    if (portal.clockOffsetMs !== null) out.stdout(`时钟偏差 / clock offset:   ${portal.clockOffsetMs} ms`);
  }
  if (portal?.portalSaysBound === false && status.binding) {
    out.stdout(
      '绑定不一致 / binding mismatch: 本机已绑定，门户平台未绑定 / bound here, not at the portal: run `passgate rebind`',
    );
  }
  const atPortal = portal?.portalVenueCode;
  if (atPortal && status.binding && atPortal !== status.binding.venueCode) {
    // The daemon takes the portal's word at its next authorize; until then the two disagree.
    out.stdout(
      `绑定不一致 / binding mismatch: 本机 ${status.binding.venueCode}，门户平台 ${atPortal}（服务下次连接门户时采用门户的绑定）/ ` +
        `here ${status.binding.venueCode}, at the portal ${atPortal} (the daemon takes the portal's at its next sign-in)`,
    );
  }
  if (daemon === null) {
    out.stdout('服务 / daemon:            未运行 / not running');
    return;
  }
  const d = daemon as {
    phase?: string;
    portal?: { tokenValid?: boolean; tokenExpiresInMs?: number | null };
    drivers?: Array<{ name: string; state: string }>;
    outcomes?: Record<string, number>;
    uptimeMs?: number;
    version?: string;
    display?: { mismatched?: string[]; consecutiveFailures?: number };
    restartPending?: string[];
  };
  out.stdout(
    `服务 / daemon:            运行中 / running, ${d.phase}, ${Math.round((d.uptimeMs ?? 0) / 1000)} s, passgate ${d.version ?? '?'}`,
  );
  const pending = d.restartPending ?? [];
  if (pending.length > 0) {
    out.stdout(
      `待重启 / restart pending:  ${pending.join(', ')} 已修改，重启后生效 / changed, apply at the next start: systemctl restart passgate`,
    );
  }
  const mismatched = d.display?.mismatched ?? [];
  if (mismatched.length > 0) {
    // The relay or a light is not in the state it should be: the player is retrying the writes.
    out.stdout(`显示输出 / display:       写入失败,重试中 / writes failing, retrying: ${mismatched.join(', ')}`);
  }
  out.stdout(
    `令牌 / token:             ${d.portal?.tokenValid ? `有效 / valid (${Math.round((d.portal.tokenExpiresInMs ?? 0) / 1000)} s)` : '无效 / not valid'}`,
  );
  for (const driver of d.drivers ?? []) out.stdout(`输入设备 / input:         ${driver.name}: ${driver.state}`);
  const counts = Object.entries(d.outcomes ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  out.stdout(`结果计数 / outcomes:      ${counts}`);
}

/**
 * `status --mender-inventory`: what a fleet operator sees of each device in Mender, as the
 * inventory script's `name=value` lines. Device facts only: no personal data, and no venue name
 * (free text); the venue code identifies the site.
 */
export function inventoryLines(
  provisioned: boolean,
  binding: ReturnType<typeof storedBinding>,
  daemon: Record<string, unknown> | null,
): string[] {
  const d = (daemon ?? {}) as {
    version?: string;
    phase?: string;
    portal?: { tokenValid?: boolean; lastAuthorizedAt?: string | null };
    drivers?: Array<{ name: string; state: string }>;
  };
  const clean = (value: string) => value.replace(/[^\x21-\x7e]/g, '_');
  return [
    `passgate_version=${passgateVersion()}`,
    `passgate_provisioned=${provisioned ? 'yes' : 'no'}`,
    `passgate_bound=${binding ? 'yes' : 'no'}`,
    ...(binding ? [`passgate_venue_code=${clean(binding.venueCode)}`] : []),
    `passgate_daemon=${daemon === null ? 'stopped' : clean(String(d.phase ?? 'starting'))}`,
    ...(daemon === null ? [] : [`passgate_daemon_version=${clean(String(d.version ?? 'unknown'))}`]),
    `passgate_portal_token_valid=${d.portal?.tokenValid ? 'yes' : 'no'}`,
    `passgate_portal_last_contact=${d.portal?.lastAuthorizedAt ?? 'never'}`,
    ...(d.drivers ?? []).map((driver) => `passgate_driver_${clean(driver.name)}=${clean(driver.state)}`),
  ];
}
