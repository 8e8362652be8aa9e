// The soak's own network: three namespaces, made and removed by the soak, joined by two veth
// pairs, with addresses in 10.213.N.0/28 that exist nowhere but inside them (no default route,
// nothing bridged to the host, so no packet can leave):
//
//   gate ns  [g]10.213.N.2/30 ── [lg]10.213.N.1/30  link ns  [lp]10.213.N.5/30 ── [p]10.213.N.6/30  portal ns
//   (all daemons)                (forwards; faults)                                (the mock portal)
//
// The link namespace is where the faults happen. On a kernel with sch_netem, the 4G link is a
// netem qdisc on both of its veths. This kernel has none (and no nft), so the link namespace
// holds a TUN device too: policy rules send the forwarded packets into it, where the soak's link
// emulator delays, drops or NATs them in user space, and the kernel forwards them on when they
// come back out. A blackhole is a policy rule sending the portal's packets to a blackhole route.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { bin } from './system-commands.js';

const run = promisify(execFile);

export interface Namespaces {
  id: string;
  gateNs: string;
  linkNs: string;
  portalNs: string;
  gateAddress: string;
  portalAddress: string;
  tunAddress: string;
  dev: { gate: string; linkGate: string; linkPortal: string; portal: string; tun: string };
}

const PREFIX = 'pgsoak-';

export function namespacesFor(pid: number): Namespaces {
  const id = pid.toString(36);
  const subnet = `10.213.${20 + (pid % 200)}`;
  return {
    id,
    gateNs: `${PREFIX}${pid}-gate`,
    linkNs: `${PREFIX}${pid}-link`,
    portalNs: `${PREFIX}${pid}-portal`,
    gateAddress: `${subnet}.2`,
    portalAddress: `${subnet}.6`,
    tunAddress: `${subnet}.9`,
    dev: { gate: `pgs${id}g`, linkGate: `pgs${id}lg`, linkPortal: `pgs${id}lp`, portal: `pgs${id}p`, tun: `pgs${id}t` },
  };
}

export async function ip(...args: string[]): Promise<void> {
  await run(bin('ip'), args);
}

/** argv prefix running a command inside a namespace. */
export function inNamespace(ns: string): string[] {
  return [bin('ip'), 'netns', 'exec', ns];
}

/** Removes namespaces a soak left behind when it was killed (their pid is gone). Only ours: pgsoak-<pid>-*. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const { stdout } = await run(bin('ip'), ['netns', 'list']);
  const removed: string[] = [];
  for (const line of stdout.split('\n')) {
    const name = line.split(' ')[0];
    const m = new RegExp(`^${PREFIX}(\\d+)-(gate|link|portal)$`).exec(name);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (alive) continue;
    await ip('netns', 'del', name).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

export async function createNamespaces(n: Namespaces): Promise<void> {
  const subnet = n.gateAddress.replace(/\.2$/, '');
  for (const ns of [n.gateNs, n.linkNs, n.portalNs]) {
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  await ip(
    'link',
    'add',
    n.dev.gate,
    'netns',
    n.gateNs,
    'type',
    'veth',
    'peer',
    'name',
    n.dev.linkGate,
    'netns',
    n.linkNs,
  );
  await ip(
    'link',
    'add',
    n.dev.linkPortal,
    'netns',
    n.linkNs,
    'type',
    'veth',
    'peer',
    'name',
    n.dev.portal,
    'netns',
    n.portalNs,
  );
  await ip('-n', n.gateNs, 'addr', 'add', `${subnet}.2/30`, 'dev', n.dev.gate);
  await ip('-n', n.linkNs, 'addr', 'add', `${subnet}.1/30`, 'dev', n.dev.linkGate);
  await ip('-n', n.linkNs, 'addr', 'add', `${subnet}.5/30`, 'dev', n.dev.linkPortal);
  await ip('-n', n.portalNs, 'addr', 'add', `${subnet}.6/30`, 'dev', n.dev.portal);
  await ip('-n', n.gateNs, 'link', 'set', n.dev.gate, 'up');
  await ip('-n', n.linkNs, 'link', 'set', n.dev.linkGate, 'up');
  await ip('-n', n.linkNs, 'link', 'set', n.dev.linkPortal, 'up');
  await ip('-n', n.portalNs, 'link', 'set', n.dev.portal, 'up');
  await ip('-n', n.gateNs, 'route', 'add', `${subnet}.4/30`, 'via', `${subnet}.1`);
  await ip('-n', n.portalNs, 'route', 'add', `${subnet}.0/30`, 'via', `${subnet}.5`);
  // Forwarding, and no reverse-path filter: packets come back out of the TUN device with
  // addresses that are not routed through it.
  await run(bin('ip'), [
    'netns',
    'exec',
    n.linkNs,
    bin('sysctl'),
    '-qw',
    'net.ipv4.ip_forward=1',
    'net.ipv4.conf.all.rp_filter=0',
    'net.ipv4.conf.default.rp_filter=0',
  ]);
}

/** Deletes the namespaces (their veths, TUN device, routes and qdiscs go with them). Sync, for exit handlers. */
export function deleteNamespacesSync(n: Namespaces): void {
  for (const ns of [n.gateNs, n.linkNs, n.portalNs]) {
    try {
      execFileSync(bin('ip'), ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

/** Whether this kernel has netem: tried on the link namespace's loopback, then removed. */
export async function netemAvailable(n: Namespaces): Promise<boolean> {
  try {
    await run(bin('tc'), ['-n', n.linkNs, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
    await run(bin('tc'), ['-n', n.linkNs, 'qdisc', 'del', 'dev', 'lo', 'root']);
    return true;
  } catch {
    return false;
  }
}
