// The demo's console on a (simulated) terminal: the prompt keeps a line of its own below the
// display's live line, so typed text never lands on the LED line, whatever the display redraws
// while someone types. The bytes written are replayed on a small screen model to see the result.
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DemoConsole, PROMPT } from '../../../scripts/demo/demo-console.js';
import { TerminalBackend } from '../../../ui-led/backends/terminal.js';
import { EVENT_WAIT_MS, until } from '../../support/polling.js';

/** The lines a terminal shows after `bytes`: CR, LF (as CR LF), and the CSI sequences used here. */
function screen(bytes: string): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i];
    if (ch === '\x1b' && bytes[i + 1] === '[') {
      const m = /^\x1b\[([0-9;]*)([A-Za-z])/.exec(bytes.slice(i));
      if (!m) continue;
      i += m[0].length - 1;
      const n = m[1] === '' ? undefined : Number(m[1].split(';')[0]);
      const line = rows[row];
      if (m[2] === 'K') line.length = n === 2 ? 0 : Math.min(line.length, col);
      else if (m[2] === 'A') row = Math.max(0, row - (n ?? 1));
      else if (m[2] === 'G') col = (n ?? 1) - 1;
      else if (m[2] === 'C') col += n ?? 1;
      else if (m[2] === 'D') col = Math.max(0, col - (n ?? 1));
      else if (m[2] === 'J') rows.length = row + 1;
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      while (rows.length <= row) rows.push([]);
    } else {
      const line = rows[row];
      while (line.length < col) line.push(' ');
      line[col++] = ch;
    }
  }
  return rows.map((r) => r.join('').trimEnd());
}

function terminal() {
  let written = '';
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        written += chunk.toString();
        done();
      },
    }),
    { isTTY: true, columns: 100, rows: 40 },
  );
  const demo = new DemoConsole(input, output);
  const typed: string[] = [];
  demo.lines.on('data', (d: Buffer) => typed.push(...d.toString().split('\n').filter(Boolean)));
  const display = new TerminalBackend({ stream: demo.displayStream, colour: false });
  return { input, demo, display, typed, screen: () => screen(written) };
}

const LIVE_LINE = /^[○●]{3} /;

describe('the demo console on a terminal', () => {
  it('keeps typed text on the prompt line while the live LED line redraws above it', async () => {
    const t = terminal();
    t.demo.prompt();
    await t.display.set({ green: true });
    t.input.write('gre');
    await until(() => t.screen().at(-1) === `${PROMPT}gre`, EVENT_WAIT_MS, 'the echo of the typed text');
    await t.display.set({ green: false, red: true, buzzer: true });
    t.display.show({ kind: 'deny', zh: '否-禁止通行', en: 'Entry denied' });
    await t.display.set({ red: false, buzzer: false });
    t.demo.print('    (a line of the demo)');
    const shown = t.screen();
    expect(shown.at(-1)).toBe(`${PROMPT}gre`);
    const live = shown.filter((l) => LIVE_LINE.test(l));
    expect(live).toEqual(['○○○ ---- -----']);
    expect(shown.at(-2)).toBe('○○○ ---- -----');
    for (const line of shown.slice(0, -1)) expect(line).not.toContain('gre');
    expect(shown).toContain('[RED]  否-禁止通行 Entry denied');
    expect(shown).toContain('    (a line of the demo)');

    t.input.write('en\r');
    await until(() => t.typed.length === 1, EVENT_WAIT_MS, 'the typed line');
    expect(t.typed).toEqual(['green']);
    await t.display.set({ green: true });
    const after = t.screen();
    expect(after.at(-1)).toBe(PROMPT.trimEnd());
    expect(after.filter((l) => LIVE_LINE.test(l)).at(-1)).toBe('○●○ ---- -----');
    t.demo.close();
  });
});
