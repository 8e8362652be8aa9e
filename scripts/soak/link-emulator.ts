// The soak's network link in user space, for kernels without sch_netem (and for the NAT, which
// needs connection state no qdisc has). It runs inside the link namespace: socat hands it every
// packet routed into the TUN device there, as one UDP datagram each; it drops or holds each one
// as link-model.ts decides, then hands it back to socat, which writes it into the TUN device,
// from where the kernel forwards it on.
//
// stdin, one JSON object a line: first {port, portalAddress, seed}, then {id, mode: LinkMode} or
// {id, stats: true}; stdout: {t:'ready'}, then a reply {t:'r', id, ok, result} to each command.
//
// Started as: ip netns exec LINK node <run dir>/soak-link-emulator.cjs (helper-bundle.ts builds it).
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { mulberry32 } from '../lab/synth-image.js';
import { type LinkMode, LinkModel, parsePacket } from './link-model.js';

export interface LinkEmulatorHello {
  port: number;
  portalAddress: string;
  seed: number;
}

export async function main(): Promise<number> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) return 2;
  const hello = JSON.parse(first.value) as LinkEmulatorHello;
  const model = new LinkModel(hello.portalAddress, mulberry32(hello.seed));
  const socket = createSocket('udp4');
  let peer: { address: string; port: number } | null = null;
  socket.on('message', (packet, from) => {
    peer = { address: from.address, port: from.port };
    const info = parsePacket(packet);
    if (!info) return;
    const decision = model.decide(info, Date.now());
    if (decision.action === 'drop') return;
    const send = () => {
      if (peer) socket.send(packet, peer.port, peer.address);
    };
    const wait = decision.releaseAt - Date.now();
    if (wait <= 0) send();
    else setTimeout(send, wait);
  });
  await new Promise<void>((resolve) => socket.bind(hello.port, '127.0.0.1', resolve));
  // Bursts of a whole fleet's packets must not overrun the socket while the loop is busy.
  socket.setRecvBufferSize(8 << 20);
  socket.setSendBufferSize(8 << 20);
  const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  say({ t: 'ready' });
  for (;;) {
    const next = await lines.next();
    if (next.done) break;
    const command = JSON.parse(next.value) as { id: number; mode?: LinkMode; stats?: boolean };
    if (command.mode) model.setMode(command.mode);
    say({ t: 'r', id: command.id, ok: true, result: { ...model.counts } });
  }
  socket.close();
  return 0;
}
