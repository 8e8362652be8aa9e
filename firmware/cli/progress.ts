// Progress on the technician's terminal while a portal call runs (it may take up to the admin
// deadline, ~11 s): one line on stderr, redrawn in place, wiped when the call ends. Only when
// stderr is a terminal: in a pipe, a log or a test it would be noise, so nothing is written.
import type { CommandOutput } from './io.js';

/** How often the line is redrawn: a liveness sign for a person, not a timeout. */
export const PROGRESS_TICK_MS = 250;

const FRAMES = ['.  ', '.. ', '...'];

export const CONTACTING_PORTAL = { zh: '正在连接门户平台', en: 'contacting the portal' } as const;

/** Runs `work`, with `label` and moving dots on stderr meanwhile when stderr is a terminal. */
export async function withProgress<T>(
  out: CommandOutput,
  label: { zh: string; en: string },
  work: () => Promise<T>,
): Promise<T> {
  const draw = out.stderrIsTTY === true ? out.stderrRaw : undefined;
  if (!draw) return work();
  let frame = 0;
  const paint = () => {
    const dots = FRAMES[frame++ % FRAMES.length];
    draw(`\r${label.zh}${dots} / ${label.en}${dots}`);
  };
  paint();
  const timer = setInterval(paint, PROGRESS_TICK_MS);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    draw('\r\u001b[K'); // back to the line's start and wipe it: the answer prints in its place
  }
}
