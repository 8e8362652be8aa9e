// The faults of the soak's network, switched on and off in the link namespace
// (network-namespaces.ts): the 4G link (netem when the kernel has it, else the user-space link
// emulator), the NAT that forgets idle connections (the emulator), the blackhole (a policy rule to
// a blackhole route: the portal's packets vanish, no RST, no ICMP).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { track } from './child-processes.js';
import { LineChild } from './line-child.js';
import { CLEAR_LINK, FOUR_G_LINK, type LinkMode } from './link-model.js';
import { inNamespace, ip, type Namespaces, netemAvailable } from './network-namespaces.js';
import { bin } from './system-commands.js';

const EMULATOR_PORT = 47_013;
/** Policy-routing tables and rule priorities inside the link namespace (ours alone). */
const VIA_TUN_TABLE = '100';
const BLACKHOLE_TABLE = '101';

export class NetworkLink {
  private emulator: LinkChildren | null = null;
  private viaTun = false;
  /** How the 4G link is made: 'netem' or 'tun'. */
  fourGBy: 'netem' | 'tun' = 'tun';

  constructor(
    private readonly n: Namespaces,
    private readonly o: { emulatorEntry: string; logDir: string; seed: number },
  ) {}

  async start(): Promise<void> {
    this.fourGBy = (await netemAvailable(this.n)) ? 'netem' : 'tun';
    const emulator = new LineChild([...inNamespace(this.n.linkNs), process.execPath, this.o.emulatorEntry], {
      stderrLog: join(this.o.logDir, 'link-emulator.stderr.log'),
      onLine: () => undefined,
    });
    const ready = emulator.waitFor('ready', 60_000);
    emulator.send({ port: EMULATOR_PORT, portalAddress: this.n.portalAddress, seed: this.o.seed });
    await ready;
    const socat = track(
      spawn(
        inNamespace(this.n.linkNs)[0],
        [
          ...inNamespace(this.n.linkNs).slice(1),
          bin('socat'),
          '-b',
          '65536',
          `TUN:${this.n.tunAddress}/30,tun-name=${this.n.dev.tun},iff-up,iff-no-pi`,
          `UDP:127.0.0.1:${EMULATOR_PORT}`,
        ],
        { stdio: 'ignore', detached: true },
      ),
    );
    this.emulator = { emulator, socat };
    for (let i = 0; ; i++) {
      try {
        await ip('-n', this.n.linkNs, 'link', 'show', this.n.dev.tun);
        break;
      } catch {
        if (i > 200 || socat.exitCode !== null) throw new Error('socat did not create the TUN device');
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    await ip('-n', this.n.linkNs, 'route', 'add', 'default', 'dev', this.n.dev.tun, 'table', VIA_TUN_TABLE);
    await ip('-n', this.n.linkNs, 'route', 'add', 'blackhole', 'default', 'table', BLACKHOLE_TABLE);
  }

  /** Packets between gates and portal go through the emulator (true) or straight through the kernel. */
  private async route(viaTun: boolean): Promise<void> {
    if (viaTun === this.viaTun) return;
    const verb = viaTun ? 'add' : 'del';
    await ip('-n', this.n.linkNs, 'rule', verb, 'iif', this.n.dev.linkGate, 'lookup', VIA_TUN_TABLE, 'pref', '100');
    await ip('-n', this.n.linkNs, 'rule', verb, 'iif', this.n.dev.linkPortal, 'lookup', VIA_TUN_TABLE, 'pref', '101');
    this.viaTun = viaTun;
  }

  private async mode(mode: LinkMode): Promise<void> {
    await this.emulator?.emulator.request({ mode });
  }

  async fourG(on: boolean): Promise<void> {
    if (this.fourGBy === 'netem') {
      // Each direction: 25–150 ms (uniform jitter around 87.5 ms) and 1 % loss.
      for (const dev of [this.n.dev.linkGate, this.n.dev.linkPortal]) {
        const args = on
          ? [
              '-n',
              this.n.linkNs,
              'qdisc',
              'add',
              'dev',
              dev,
              'root',
              'netem',
              'delay',
              '87.5ms',
              '62.5ms',
              'loss',
              '1%',
            ]
          : ['-n', this.n.linkNs, 'qdisc', 'del', 'dev', dev, 'root'];
        await new Promise<void>((resolve, reject) =>
          spawn(bin('tc'), args, { stdio: 'ignore' }).once('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`tc ${args.join(' ')} failed`)),
          ),
        );
      }
      return;
    }
    await this.mode(on ? FOUR_G_LINK : CLEAR_LINK);
    await this.route(on);
  }

  async natIdle(on: boolean, idleMs: number): Promise<void> {
    await this.mode(on ? { ...CLEAR_LINK, natIdleMs: idleMs } : CLEAR_LINK);
    await this.route(on);
  }

  async blackhole(on: boolean): Promise<void> {
    const verb = on ? 'add' : 'del';
    await ip('-n', this.n.linkNs, 'rule', verb, 'iif', this.n.dev.linkPortal, 'lookup', BLACKHOLE_TABLE, 'pref', '90');
  }

  /** The emulator's packet counts (forwarded, lost, NAT-dropped, connections forgotten). */
  async counts(): Promise<Record<string, number>> {
    return (await this.emulator?.emulator.request<Record<string, number>>({ stats: true })) ?? {};
  }

  async stop(): Promise<void> {
    const e = this.emulator;
    this.emulator = null;
    if (!e) return;
    e.socat.kill('SIGTERM');
    e.emulator.kill('SIGTERM');
    await e.emulator.exited;
  }
}

interface LinkChildren {
  emulator: LineChild;
  socat: ChildProcess;
}
