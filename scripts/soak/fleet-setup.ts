// Builds the soak's world: the namespaces and the link (when root), the portal's state, the
// gates (data directories, devices, supervisors), and the sources of the scans.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { type DemoPassCodeKeyword, demoPassCode } from '../../portal-client/mock/domain/demo-dataset.js';
import { PASS_CODE_PREFIX } from '../../portal-client/mock/domain/pass-code.js';
import { PASS_CODE_TTL_MS } from '../../portal-client/mock/start-mock-portal.js';
import { syntheticCard } from '../lab/simulated-sam-reader.js';
import { provisionSoakGate } from './gate-provision.js';
import { GateRig } from './gate-rig.js';
import type { ScanSources } from './gate-scanner.js';
import { NetworkLink } from './network-link.js';
import {
  createNamespaces,
  deleteNamespacesSync,
  inNamespace,
  type Namespaces,
  namespacesFor,
  removeStaleNamespaces,
} from './network-namespaces.js';
import {
  type PreparedPortal,
  preparePortalDir,
  registerSoakDevice,
  savePortalDir,
  soakVenueCodes,
} from './portal-dir.js';
import type { PrivacyNeedles } from './privacy-search.js';
import type { CardKeyword } from './scan-mix.js';
import { parseRestartRule, type RestartRule } from './systemd-unit.js';

export const crypto = createGmCryptoSuite();
/** The port the portal listens on inside its own namespace (nothing else lives there). */
const NAMESPACE_PORTAL_PORT = 8443;

export interface Network {
  ns: Namespaces | null;
  link: NetworkLink | null;
  /** How the network part runs, or why it is skipped. */
  note: string;
}

/** The namespaces and the link, or a clear reason why not (not root, no `ip netns`, …). */
export async function setUpNetwork(o: {
  wanted: boolean;
  emulatorEntry: string;
  logDir: string;
  seed: number;
}): Promise<Network> {
  if (!o.wanted) return { ns: null, link: null, note: 'network faults skipped: --no-network' };
  if (process.getuid?.() !== 0) {
    return {
      ns: null,
      link: null,
      note: 'network faults skipped: they need root (ip netns, veth, TUN); run as root to include them',
    };
  }
  const ns = namespacesFor(process.pid);
  try {
    await removeStaleNamespaces();
    process.once('exit', () => deleteNamespacesSync(ns)); // also after Ctrl-C and crashes
    await createNamespaces(ns);
    const link = new NetworkLink(ns, { emulatorEntry: o.emulatorEntry, logDir: o.logDir, seed: o.seed });
    await link.start();
    return {
      ns,
      link,
      note: `gates and portal in namespaces ${ns.gateNs} / ${ns.portalNs} behind ${ns.linkNs}; 4G link by ${link.fourGBy === 'netem' ? 'tc netem' : 'the user-space link emulator (this kernel has no sch_netem)'}`,
    };
  } catch (error) {
    deleteNamespacesSync(ns);
    return {
      ns: null,
      link: null,
      note: `network faults skipped: the namespaces could not be made (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

export function readServiceRule(repo: string): RestartRule {
  return parseRestartRule(readFileSync(join(repo, 'firmware/systemd/passgate.service'), 'utf8'));
}

/** The bundle `npm run build` makes: the daemon runs from dist/ as on a device. */
export function distEntryOf(repo: string): string {
  return join(repo, 'dist/passgate.mjs');
}

/**
 * `npm run build`, in a process of its own: the rest of the setup (namespaces, provisioning) runs
 * meanwhile on the other CPU; nothing starts the daemon before this has resolved.
 */
export function buildDist(repo: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(repo, 'node_modules/rollup/dist/bin/rollup'), '--config', 'scripts/rollup.config.mjs', '--silent'],
      { cwd: repo, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`npm run build failed: ${stderr.trim().split('\n')[0] ?? error.message}`));
        else resolve(distEntryOf(repo));
      },
    );
  });
}

/** Gates set up at once: a gate's two socat pairs come up while another gate is provisioned. */
const SETUP_AT_ONCE = 6;

/** Runs `task` for 0..count-1, at most `atOnce` at a time; resolves in index order. */
export async function inParallel<T>(count: number, atOnce: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, count) }, worker));
  return results;
}

export interface Fleet {
  prepared: PreparedPortal;
  portalDir: string;
  portalHost: string;
  portalPort: number;
  rigs: GateRig[];
  rule: RestartRule;
  /** argv prefix into the gates' namespace ([] without). */
  gateExec: string[];
  env: NodeJS.ProcessEnv;
}

export async function setUpFleet(o: {
  root: string;
  gates: number;
  seed: number;
  network: Network;
  distEntry: string;
  repo: string;
  log: (line: string) => void;
}): Promise<Fleet> {
  const ns = o.network.ns;
  const portalHost = ns ? ns.portalAddress : '127.0.0.1';
  const portalPort = ns ? NAMESPACE_PORTAL_PORT : await freePort();
  const portalDir = join(o.root, 'portal');
  const prepared = await preparePortalDir(portalDir, {
    crypto,
    tlsHosts: [portalHost],
    seed: `soak-${o.seed}`,
    gates: o.gates,
  });
  const rule = readServiceRule(o.repo);
  const gateExec = ns ? inNamespace(ns.gateNs) : [];
  const env = { ...process.env, ...rule.environment };
  let done = 0;
  const rigs = await inParallel(o.gates, SETUP_AT_ONCE, async (i) => {
    const rig = new GateRig({
      index: i,
      root: o.root,
      argv: (dataDir) => [...gateExec, process.execPath, o.distEntry, 'run', '--data-dir', dataDir],
      env: (dataDir) => ({ ...env, PASSGATE_DATA_DIR: dataDir }),
      rule,
    });
    await Promise.all([rig.scanner.plug(), rig.reader.plug()]);
    const venueCode = soakVenueCodes(i)[0];
    const { publicKeyHex } = await provisionSoakGate({
      dataDir: rig.dataDir,
      gpioRoot: rig.gpioRoot,
      scannerPath: rig.scanner.devicePath,
      readerPath: rig.reader.devicePath,
      deviceId: rig.deviceId,
      portalUrl: `https://${portalHost}:${portalPort}`,
      portalPublicKeyHex: prepared.portalPublicKeyHex,
      caPem: prepared.caPem,
      vendor: prepared.vendor,
      venue: prepared.state.registry.getVenue(venueCode)!,
      crypto,
    });
    registerSoakDevice(prepared, i, rig.deviceId, publicKeyHex);
    if (++done % 20 === 0) o.log(`set up ${done} of ${o.gates} gates`);
    return rig;
  });
  await savePortalDir(portalDir, prepared);
  return { prepared, portalDir, portalHost, portalPort, rigs, rule, gateExec, env };
}

/** Where each scan's code or card comes from; every code and card also becomes a privacy needle. */
export function scanSources(prepared: PreparedPortal, secret: Buffer, needles: PrivacyNeedles): ScanSources {
  const { state } = prepared;
  const residentCards = new Map<string, IdCardIdentity>();
  for (const [keyword, ref] of Object.entries(state.demo.residents)) {
    const r = state.residents.byRef(ref);
    if (r) residentCards.set(keyword, { cardType: 'resident', name: r.name, idNumber: r.idNumber });
  }
  return {
    secret,
    needles,
    code(keyword, random) {
      if (keyword === 'invalid') {
        // Text that is no pass code, as the keyword says, but a new one each time: a repeated
        // text would make two scans of one gate indistinguishable at the portal.
        const junk = Array.from({ length: 12 }, () => Math.floor(random() * 16).toString(16)).join('');
        return `${PASS_CODE_PREFIX}this-is-no-pass-code-${junk}`;
      }
      return demoPassCode(state, keyword as DemoPassCodeKeyword, { now: Date.now, ttlMs: PASS_CODE_TTL_MS, crypto });
    },
    card(keyword: CardKeyword, random) {
      if (keyword === 'unknown') return syntheticCard(random);
      const card = residentCards.get(keyword);
      if (!card) throw new Error(`demo resident ${keyword} missing`);
      return card;
    },
  };
}

export function newSecret(): Buffer {
  return randomBytes(32);
}
