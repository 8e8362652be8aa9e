// `passgate decode FILE…`: the technician's check of a printed or photographed code, through the
// same decoders the camera uses.
import { runDecodeCommand } from '../../drivers/camera/decode-command.js';
import { defaultSymbolDecoders } from '../../drivers/symbols/default-decoders.js';
import { EXIT } from './failures.js';
import type { CommandOutput } from './io.js';

export async function runDecodeCli(args: readonly string[], out: CommandOutput): Promise<number> {
  const json = args.includes('--json');
  const files = args.filter((a) => !a.startsWith('--'));
  if (args.includes('--help') || files.length === 0) {
    (files.length === 0 && !args.includes('--help') ? out.stderr : out.stdout)('usage: passgate decode [--json] FILE…');
    return args.includes('--help') ? EXIT.ok : EXIT.usage;
  }
  let buffered = '';
  const code = await runDecodeCommand(files, { json, decoders: await defaultSymbolDecoders({ thorough: true }) }, {
    write: (text: string) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach((line) => out.stdout(line));
    },
  });
  if (buffered) out.stdout(buffered);
  return code;
}
