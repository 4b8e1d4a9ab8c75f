// Bundles src/extension.ts and vscode-languageclient into one out/extension.js (the `vscode`
// module is provided by the editor at run time).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'out/extension.js',
  external: ['vscode'],
  format: 'cjs',
  platform: 'node',
  target: 'node16',
  sourcemap: false,
  minify: process.argv.includes('--minify'),
  logLevel: 'info',
});
