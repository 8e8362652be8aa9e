import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../scripts/lab/synth-image.js';
import { CLEAR_LINK, FOUR_G_LINK, LinkModel, parsePacket } from '../../../scripts/soak/link-model.js';

const PORTAL = '10.213.50.6';
const GATE = '10.213.50.2';

/** A minimal IPv4 + TCP packet. */
function tcp(src: string, dst: string, sport: number, dport: number, flags: number): Uint8Array {
  const b = new Uint8Array(40);
  b[0] = 0x45;
  b[9] = 6;
  b.set(src.split('.').map(Number), 12);
  b.set(dst.split('.').map(Number), 16);
  b[20] = sport >> 8;
  b[21] = sport & 0xff;
  b[22] = dport >> 8;
  b[23] = dport & 0xff;
  b[33] = flags;
  return b;
}
const SYN = 0x02;
const ACK = 0x10;
const up = (flags = ACK, port = 40_000) => parsePacket(tcp(GATE, PORTAL, port, 8443, flags))!;
const down = (flags = ACK, port = 40_000) => parsePacket(tcp(PORTAL, GATE, 8443, port, flags))!;

describe('link model', () => {
  it('parses addresses, ports and flags; refuses what is not IPv4', () => {
    expect(parsePacket(tcp(GATE, PORTAL, 40_000, 8443, SYN))).toMatchObject({
      src: GATE,
      dst: PORTAL,
      protocol: 6,
      srcPort: 40_000,
      dstPort: 8443,
      syn: true,
      ack: false,
      length: 40,
    });
    expect(parsePacket(new Uint8Array([0x60, ...new Array(39).fill(0)]))).toBeNull();
    expect(parsePacket(new Uint8Array(10))).toBeNull();
  });

  it('a clear link forwards at once', () => {
    const m = new LinkModel(PORTAL, mulberry32(1));
    expect(m.decide(up(), 1_000)).toEqual({ action: 'forward', releaseAt: 1_000 });
  });

  it('4G: 25–150 ms each way, order kept per direction, about 1 % lost', () => {
    const m = new LinkModel(PORTAL, mulberry32(2));
    m.setMode(FOUR_G_LINK);
    let last = 0;
    let lost = 0;
    for (let i = 0; i < 20_000; i++) {
      const d = m.decide(up(), i);
      if (d.action === 'drop') {
        lost++;
        continue;
      }
      expect(d.releaseAt).toBeGreaterThanOrEqual(last);
      expect(d.releaseAt - i).toBeLessThanOrEqual(150);
      last = d.releaseAt;
    }
    expect(lost / 20_000).toBeGreaterThan(0.005);
    expect(lost / 20_000).toBeLessThan(0.015);
    const first = new LinkModel(PORTAL, () => 0.5);
    first.setMode({ ...FOUR_G_LINK, loss: 0 });
    expect(first.decide(down(), 0)).toEqual({ action: 'forward', releaseAt: 87.5 });
  });

  it('NAT: a connection idle past the timeout is dropped silently from then on; new connections pass', () => {
    const m = new LinkModel(PORTAL, mulberry32(3));
    m.setMode({ ...CLEAR_LINK, natIdleMs: 20_000 });
    expect(m.decide(up(SYN), 0).action).toBe('forward');
    expect(m.decide(down(SYN | ACK), 10).action).toBe('forward');
    expect(m.decide(up(), 19_000).action).toBe('forward'); // busy: the mapping stays
    expect(m.decide(down(), 45_000)).toEqual({ action: 'drop', reason: 'nat' }); // idle 26 s: forgotten
    expect(m.decide(up(), 45_100)).toEqual({ action: 'drop', reason: 'nat' }); // and stays gone
    expect(m.decide(up(SYN, 40_001), 45_200).action).toBe('forward'); // a new connection
    expect(m.counts).toMatchObject({ natDropped: 2, natForgotten: 1 });
  });

  it('a NAT switched on takes on the connections it sees, and forgets them when switched on again', () => {
    const m = new LinkModel(PORTAL, mulberry32(4));
    m.setMode({ ...CLEAR_LINK, natIdleMs: 1_000 });
    expect(m.decide(up(), 0).action).toBe('forward');
    m.setMode(CLEAR_LINK);
    m.setMode({ ...CLEAR_LINK, natIdleMs: 1_000 });
    expect(m.decide(up(), 100_000).action).toBe('forward');
  });
});
