import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { maskIdNumber, maskName, type Verdict } from '../../firmware/core/verdict.js';
import { TerminalBackend, type TerminalStream } from '../../ui-led/backends/terminal.js';
import { displayTextFor } from '../../ui-led/display-text.js';
import { PatternPlayer } from '../../ui-led/player.js';

// synthetic identity, never a real person
const verdict: Verdict = {
  opinion: 'PASS',
  maskedName: maskName('测试甲'),
  maskedId: maskIdNumber('110101199001010011'),
  nat: { validityHours: 48, valid: true },
  vaccination: { dosesRequired: 3, complete: false },
};

function capture(isTTY: boolean): TerminalStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY,
    write: (c: string) => {
      chunks.push(c);
      return true;
    },
    text: () => chunks.join(''),
  };
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

describe('terminal backend', () => {
  it('on a TTY: coloured block, opinion, flags and the masked identity', async () => {
    const stream = capture(true);
    const backend = new TerminalBackend({ stream });
    await backend.open();
    backend.show(displayTextFor('pass', verdict));
    const out = stream.text();
    expect(out).toContain('\x1b[42m'); // green block
    const plain = stripAnsi(out);
    expect(plain).toContain('可 Pass');
    expect(plain).toContain('核酸48h有效 NAT ok');
    expect(plain).toContain('疫苗未完成 vaccination incomplete');
    expect(plain).toContain('**甲');
    expect(plain).toContain('1****************1');
  });

  it('to a pipe or the journal: opinion and flags only, never the identity, no colour codes', async () => {
    const stream = capture(false);
    const backend = new TerminalBackend({ stream });
    await backend.open();
    backend.show(displayTextFor('pass-with-notice', verdict));
    await backend.set({ green: true, relay: true }); // no LED noise in a log
    await backend.close();
    const out = stream.text();
    expect(out).toBe('[GREEN]  可 Pass (notice)  核酸48h有效 NAT ok · 疫苗未完成 vaccination incomplete\n');
    expect(out).not.toContain('甲');
    expect(out).not.toContain('*');
    expect(out).not.toContain('\x1b');
  });

  it('does not print an identity that is not properly masked, even on a TTY', () => {
    const stream = capture(true);
    const backend = new TerminalBackend({ stream });
    backend.show({
      kind: 'deny',
      zh: '否-禁止通行',
      en: 'Entry denied',
      maskedName: '测试甲',
      maskedId: '110101199001010011',
    });
    expect(stream.text()).not.toContain('测试甲');
    expect(stream.text()).not.toContain('110101199001010011');
  });

  it('on a TTY draws the live state of the outputs as the player changes them', async () => {
    const stream = capture(true);
    const clock = new FakeClock();
    const backend = new TerminalBackend({ stream, colour: false });
    const player = new PatternPlayer({ backend, clock });
    player.play('pass');
    const lastStatus = () => stream.text().split('\r\x1b[2K').at(-1);
    expect(lastStatus()).toBe('○●○ BEEP RELAY');
    await clock.advance(100);
    expect(lastStatus()).toBe('○●○ ---- RELAY');
    await clock.advance(400);
    expect(lastStatus()).toBe('○●○ ---- -----');
    await player.close();
    expect(lastStatus()).toBe('○○○ ---- -----\n');
  });

  it('a stream that is gone or throws does not stop anything', async () => {
    const backend = new TerminalBackend({
      stream: {
        isTTY: true,
        write: () => {
          throw new Error('EPIPE');
        },
      },
    });
    expect(() => backend.show(displayTextFor('deny'))).not.toThrow();
    await expect(backend.set({ red: true })).resolves.toBeUndefined();
    const closed = new TerminalBackend({
      stream: {
        isTTY: false,
        writable: false,
        write: () => {
          throw new Error('written');
        },
      },
    });
    expect(() => closed.show(displayTextFor('deny'))).not.toThrow();
  });
});
