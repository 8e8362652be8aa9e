// What the soak's network link does to each IPv4 packet between the gates and the portal: a
// 4G-like delay with jitter and loss, a NAT that silently forgets connections left idle, or
// nothing. The link emulator (link-emulator.ts) feeds it the packets a TUN device hands over;
// this file decides, from the packet's headers alone. Pure (time and randomness are passed in).

export interface PacketInfo {
  src: string;
  dst: string;
  protocol: number;
  srcPort: number;
  dstPort: number;
  syn: boolean;
  ack: boolean;
  length: number;
}

const TCP = 6;

/** IPv4 (and TCP ports and flags) from a raw packet; null for anything that is not IPv4. */
export function parsePacket(bytes: Uint8Array): PacketInfo | null {
  if (bytes.length < 20 || bytes[0] >> 4 !== 4) return null;
  const headerLength = (bytes[0] & 0x0f) * 4;
  const protocol = bytes[9];
  const ip = (at: number) => `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
  const info: PacketInfo = {
    src: ip(12),
    dst: ip(16),
    protocol,
    srcPort: 0,
    dstPort: 0,
    syn: false,
    ack: false,
    length: bytes.length,
  };
  if (protocol === TCP && bytes.length >= headerLength + 14) {
    info.srcPort = (bytes[headerLength] << 8) | bytes[headerLength + 1];
    info.dstPort = (bytes[headerLength + 2] << 8) | bytes[headerLength + 3];
    const flags = bytes[headerLength + 13];
    info.syn = (flags & 0x02) !== 0;
    info.ack = (flags & 0x10) !== 0;
  }
  return info;
}

export interface LinkMode {
  /** One-way delay of each packet, uniform in [minMs, maxMs]; order is kept (no reordering). */
  delay: { minMs: number; maxMs: number } | null;
  /** Chance that a packet is lost, 0–1. */
  loss: number;
  /** A NAT that drops, without a word, every packet of a TCP connection idle longer than this. */
  natIdleMs: number | null;
}

export const CLEAR_LINK: LinkMode = { delay: null, loss: 0, natIdleMs: null };
/** 50–300 ms round trip (25–150 ms each way) with jitter, and 1 % of packets lost. */
export const FOUR_G_LINK: LinkMode = { delay: { minMs: 25, maxMs: 150 }, loss: 0.01, natIdleMs: null };

export type LinkDecision = { action: 'forward'; releaseAt: number } | { action: 'drop'; reason: 'loss' | 'nat' };

interface Flow {
  last: number;
  dead: boolean;
}

export class LinkModel {
  private mode: LinkMode = CLEAR_LINK;
  private readonly flows = new Map<string, Flow>();
  private readonly lastRelease = { up: 0, down: 0 };
  readonly counts = { forwarded: 0, lost: 0, natDropped: 0, natForgotten: 0 };

  constructor(
    /** The portal's address: packets to it go up, all others down. */
    private readonly portalAddress: string,
    private readonly random: () => number,
  ) {}

  setMode(mode: LinkMode): void {
    // A NAT switched on knows no connection yet: each is taken on at its next packet.
    if (mode.natIdleMs !== null && this.mode.natIdleMs === null) this.flows.clear();
    this.mode = mode;
  }

  decide(p: PacketInfo, now: number): LinkDecision {
    if (this.mode.natIdleMs !== null && p.protocol === TCP && !this.natPasses(p, now, this.mode.natIdleMs)) {
      this.counts.natDropped++;
      return { action: 'drop', reason: 'nat' };
    }
    if (this.mode.loss > 0 && this.random() < this.mode.loss) {
      this.counts.lost++;
      return { action: 'drop', reason: 'loss' };
    }
    const direction = p.dst === this.portalAddress ? 'up' : 'down';
    const d = this.mode.delay;
    const delay = d ? d.minMs + this.random() * (d.maxMs - d.minMs) : 0;
    const releaseAt = Math.max(this.lastRelease[direction], now + delay);
    this.lastRelease[direction] = releaseAt;
    this.counts.forwarded++;
    return { action: 'forward', releaseAt };
  }

  /** The NAT's table: a new connection (SYN) or one seen for the first time is taken on; one idle too long is gone for good. */
  private natPasses(p: PacketInfo, now: number, idleMs: number): boolean {
    const a = `${p.src}:${p.srcPort}`;
    const b = `${p.dst}:${p.dstPort}`;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    const flow = this.flows.get(key);
    if (!flow || (p.syn && !p.ack)) {
      this.flows.set(key, { last: now, dead: false });
      if (this.flows.size > 10_000) this.prune(now, idleMs);
      return true;
    }
    if (flow.dead) return false;
    if (now - flow.last > idleMs) {
      flow.dead = true;
      this.counts.natForgotten++;
      return false;
    }
    flow.last = now;
    return true;
  }

  private prune(now: number, idleMs: number): void {
    for (const [key, flow] of this.flows) if (flow.dead || now - flow.last > 10 * idleMs) this.flows.delete(key);
  }
}
