// The mesh-bridge bin as one bundle (npm run build, after tsc): dist/mesh-bridge.js sets
// the V8 flags, then imports dist/mesh-bridge-cli.js: the CLI, mesh-core, libp2p and the rest.
// One file instead of hundreds of modules took the idle bridge from 120 to 102 MB
// (packages/hw-bridge/README.md). dist/index.js, the library, stays tsc's unbundled output.
/// <reference types="node" />
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'rolldown'

const path = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
const { resolve } = createRequire(import.meta.url)

export default defineConfig({
  // Beside tsc's output, never over it, so a later tsc -b cannot undo the bundle.
  input: { 'mesh-bridge': path('src/bin.ts') },
  platform: 'node',
  // Native: it loads its addon from node_modules.
  external: [/^node-datachannel(\/|$)/],
  resolve: {
    alias: {
      // mesh-core from its source, as in vitest.config.ts, so the source map reaches its .ts files.
      'mesh-core': path('../mesh-core/src/index.ts'),
      '#platform': path('../mesh-core/src/platform/node.ts'),
      // Its ESM build: the UMD one, the package's "main", requires modules dynamically.
      'jsonc-parser': resolve('jsonc-parser/lib/esm/main.js')
    }
  },
  output: {
    dir: path('dist'),
    format: 'esm',
    entryFileNames: '[name].js',
    // Not over tsc's cli.js (dist/index.js imports that one); cli.ts finds ../package.json
    // from here too.
    chunkFileNames: 'mesh-bridge-[name].js',
    // Names kept: a stack trace still says which function. `node --enable-source-maps`
    // maps it to the .ts sources (not on by default: that costs over 40 MB).
    minify: { compress: true, mangle: false, codegen: { removeWhitespace: true } },
    // V8 holds a source with only Latin-1 characters at one byte per character; a single
    // emoji in a dependency would make all 2 MB two-byte.
    charset: 'ascii',
    sourcemap: true
  }
})
