// The soak's two helper processes (its portal and its link emulator) as plain JavaScript, built
// once per run with esbuild: started through tsx they took seconds to come up on a loaded box,
// and a portal restart is a fault whose length the soak wants to choose, not the compiler.
import { join } from 'node:path';

export interface HelperBundles {
  portal: string;
  linkEmulator: string;
}

export async function buildHelpers(repo: string, outDir: string): Promise<HelperBundles> {
  const { build } = await import('esbuild');
  const bundle = async (entry: string, name: string) => {
    const outfile = join(outDir, `${name}.cjs`);
    await build({
      stdin: {
        // The entry modules export main(); this runs it, as scripts/bin/run-ts.mjs would.
        contents: `import { main } from './${entry}'; main().then((code) => { process.exitCode = code; });`,
        resolveDir: join(repo, 'scripts/soak'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs', // the packages it pulls in (sm-crypto-v2 among them) are CommonJS
      target: 'node20',
      outfile,
      logLevel: 'error',
    });
    return outfile;
  };
  return {
    portal: await bundle('portal-process.ts', 'soak-portal'),
    linkEmulator: await bundle('link-emulator.ts', 'soak-link-emulator'),
  };
}
