// The soak's portal: the bundled mock portal (MockPortal and the mock's own domain) in a process
// of its own, inside the portal's network namespace, driven over stdin/stdout instead of the
// admin API (which answers on loopback only, and the soak is not on the portal's loopback).
// It loads the state directory the soak prepared (portal-dir.ts), notes every decision
// (recording-domain.ts) and applies faults on request. Killing it is the "portal restart" fault.
//
// stdin, one JSON object a line: first a PortalHello, then PortalCommands.
// stdout, one JSON object a line: {t:'ready', url} and replies {t:'r', id, …}.
// Decisions, one JSON object a line ({v, k, o, x, at}), are appended to the hello's decision file.
//
// Started as: [ip netns exec NS] node <run dir>/soak-portal.cjs (helper-bundle.ts builds it).
import { openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { GatePolicy } from '../../firmware/gate/model.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { readPrivateKeyFile } from '../../portal-client/crypto/key-file.js';
import { loadOrSeedState, saveState } from '../../portal-client/mock/domain/state-file.js';
import { NO_FAULTS } from '../../portal-client/mock/faults.js';
import { MockPortal } from '../../portal-client/mock/server.js';
import { createPortalDomain } from '../../portal-client/mock/start-mock-portal.js';
import { loadOrCreateTlsMaterial } from '../../portal-client/mock/tls-material.js';
import { PORTAL_KEY_FILE } from './portal-files.js';
import { recordingDomain } from './recording-domain.js';

export interface PortalHello {
  dir: string;
  host: string;
  port: number;
  tlsHosts: string[];
  /** Hex of the per-run secret of scan-key.ts. */
  secretHex: string;
  /** Where decisions are appended, one JSON line each (DecisionLine); restarts append to it. */
  decisionsFile: string;
  policy: Pick<GatePolicy, 'natPolicy' | 'vaccinationPolicy'>;
}

export type PortalCommand =
  | { id: number; op: 'faults'; patch: Record<string, unknown> }
  | { id: number; op: 'clear-faults' }
  | { id: number; op: 'expire-tokens' }
  | { id: number; op: 'stats' }
  | { id: number; op: 'rebind'; deviceId: string; venueCode: string }
  | { id: number; op: 'binding'; deviceId: string };

export type PortalLine =
  | { t: 'ready'; url: string }
  | { t: 'r'; id: number; ok: boolean; result?: unknown; error?: string };

/** A decision: venue code, scan key, outcome at the gate, 1 when sealed with a wrong MAC, epoch ms. */
export interface DecisionLine {
  v: string;
  k: string;
  o: string;
  x: 0 | 1;
  at: number;
}

function send(line: PortalLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export async function main(): Promise<number> {
  const lines = createInterface({ input: process.stdin });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return 2;
  const hello = JSON.parse(first.value) as PortalHello;
  const crypto = createGmCryptoSuite();
  const { state } = await loadOrSeedState(hello.dir, { now: Date.now, crypto });
  const portalPrivateKey = await readPrivateKeyFile(join(hello.dir, PORTAL_KEY_FILE));
  const tls = await loadOrCreateTlsMaterial(join(hello.dir, 'tls'), {
    hosts: ['localhost', '127.0.0.1', '::1', ...hello.tlsHosts],
  });
  let saving: Promise<void> = Promise.resolve();
  const persist = () => {
    saving = saving.then(() => saveState(hello.dir, state)).catch(() => undefined);
  };
  let faults = NO_FAULTS;
  const inner = createPortalDomain(state, crypto, Date.now, persist);
  // A decision goes to a file with one plain write before its answer is sealed: it is in the
  // kernel's hands when a SIGKILL comes between the two, and unlike a line on the stdout pipe it
  // wakes nobody (the soak reads the file at the end). Per scan that was the portal's dearest
  // write, its HTTPS answer included.
  const decisions = openSync(hello.decisionsFile, 'a');
  const domain = recordingDomain(inner, Buffer.from(hello.secretHex, 'hex'), hello.policy, (note) => {
    // The server seals right after the domain returns, with the faults as they are now.
    const line: DecisionLine = {
      v: note.venueCode,
      k: note.key,
      o: note.outcome,
      x: faults.wrongMac ? 1 : 0,
      at: Date.now(),
    };
    writeSync(decisions, `${JSON.stringify(line)}\n`);
  });
  const server = new MockPortal({
    crypto,
    domain,
    portalPrivateKey,
    tls: { certPem: tls.serverCertPem, keyPem: tls.serverKeyPem },
    host: hello.host,
    port: hello.port,
  });
  const url = await server.start();
  send({ t: 'ready', url });
  const stop = async () => {
    await server.stop();
    await saving;
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const command = JSON.parse(next.value) as PortalCommand;
    try {
      let result: unknown;
      if (command.op === 'faults') result = faults = server.setFaults(command.patch);
      else if (command.op === 'clear-faults') result = faults = server.clearFaults();
      else if (command.op === 'expire-tokens') server.expireTokens();
      else if (command.op === 'stats') result = server.stats();
      else if (command.op === 'binding') result = { venueCode: inner.binding(command.deviceId)?.code ?? null };
      else {
        const r = inner.rebind(command.deviceId, command.venueCode);
        if (!r.ok) throw new Error(r.error);
        result = { venueCode: r.value.venue.code };
      }
      send({ t: 'r', id: command.id, ok: true, result });
    } catch (error) {
      send({ t: 'r', id: command.id, ok: false, error: (error as Error).message });
    }
  }
  await stop();
  return 0;
}
