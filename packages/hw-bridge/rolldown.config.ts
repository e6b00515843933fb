// The mesh-bridge bin as one bundle (npm run build, after tsc): dist/mesh-bridge.js sets
// the V8 flags, then imports dist/mesh-bridge-cli.js: the CLI, mesh-core, libp2p and the rest.
// One file instead of hundreds of modules took the idle bridge from 120 to 102 MB
// (packages/hw-bridge/README.md). dist/index.js, the library, stays tsc's unbundled output.
/// <reference types="node" />
import { builtinModules, createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'rolldown'
import type { Plugin } from 'rolldown'
import MagicString from 'magic-string'
import { parseAst } from 'rolldown/parseAst'

const path = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
const { resolve } = createRequire(import.meta.url)

/**
 * Node builtins that the bundle's ES modules import, taken with process.getBuiltinModule().
 * Node's ESM wrapper of a builtin reads every export, getters included, and node:http's
 * WebSocket getter alone loads undici with its streams and workers: 12 MB on an idle
 * bridge. Getter exports are left out, so importing one by name fails the build;
 * `require()` from CommonJS dependencies already skips the wrapper and is left alone, and
 * so is node:module, which rolldown's own runtime imports before any chunk has run.
 * node:https loads on first use (it brings tls): only a /wss listener needs it.
 */
function builtinsWithoutEsmWrapper(): Plugin {
  const builtins = new Set(builtinModules)
  const lazy = new Set(['https'])
  const PREFIX = '\0builtin:'
  return {
    name: 'builtins-without-esm-wrapper',
    resolveId(id, _importer, { kind }) {
      const name = id.replace(/^node:/, '')
      if (kind !== 'import-statement' || !builtins.has(name) || name === 'module') return null
      return { id: PREFIX + name, moduleSideEffects: false }
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null
      const name = `node:${id.slice(PREFIX.length)}`
      // Default import only: a named one fails the build.
      if (lazy.has(name.slice(5)))
        return `export default new Proxy({}, { get: (_, key) => process.getBuiltinModule(${JSON.stringify(name)})[key] })`
      const exports = Object.getOwnPropertyDescriptors(process.getBuiltinModule(name))
      const plain = Object.keys(exports).filter(
        (k) => exports[k]?.get === undefined && k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k)
      )
      return [
        `const m = process.getBuiltinModule(${JSON.stringify(name)})`,
        'export default m',
        ...plain.map((k) => `export const ${k} = m.${k}`)
      ].join('\n')
    }
  }
}

/**
 * prom-client requires its Pushgateway, and https and tls with it, when it loads; the
 * bridge is scraped at /metrics and never pushes (src/bundle/no-pushgateway.ts).
 */
function withoutPushgateway(): Plugin {
  return {
    name: 'without-pushgateway',
    resolveId(id, importer) {
      const fromPromClient = /prom-client[\\/]index\.js$/.test(importer ?? '')
      return id === './lib/pushgateway' && fromPromClient ? path('src/bundle/no-pushgateway.ts') : null
    }
  }
}

/**
 * No ICU collation in the bundle: the first `localeCompare` or `Intl.Collator` loads
 * collation data for every locale ICU knows, 2.5 MB of an idle bridge. libp2p's peer store
 * and peer record sort multiaddrs, protocols and keys with `a.localeCompare(b)` only to
 * get some stable order; here they sort by UTF-16 code unit, a total order where
 * localeCompare is not. The build fails if collation comes back.
 */
function codeUnitOrderForSorting(): Plugin {
  const HELPER = '__compareCodeUnits'
  return {
    name: 'code-unit-order-for-sorting',
    transform(code, id) {
      if (!/@libp2p[\\/]peer-(store|record)[\\/]/.test(id) || !code.includes('localeCompare')) return null
      const out = new MagicString(code)
      const text = (n: Node): string => code.slice(n.start, n.end)
      visit(parseAst(code), (n) => {
        const callee = n.callee as Node | undefined
        const args = n.arguments as Node[] | undefined
        const property = callee?.property as Node | undefined
        if (n.type !== 'CallExpression' || callee?.type !== 'MemberExpression' || callee.computed) return
        if (property?.name !== 'localeCompare' || args?.length !== 1) return
        out.overwrite(n.start, n.end, `${HELPER}(${text(callee.object as Node)}, ${text(args[0])})`)
      })
      out.prepend(`const ${HELPER} = (a, b) => (a < b ? -1 : a > b ? 1 : 0);\n`)
      return { code: out.toString(), map: out.generateMap({ hires: true, source: id }) }
    },
    renderChunk(code, chunk) {
      visit(parseAst(code), (n) => {
        const member = n.type === 'MemberExpression' ? code.slice(n.start, n.end) : ''
        if (/(\.localeCompare|\bIntl\.Collator)$/.test(member))
          this.error(`${chunk.fileName} uses ICU collation (${member}): see codeUnitOrderForSorting`)
      })
      return null
    }
  }
}

interface Node {
  type: string
  start: number
  end: number
  [key: string]: unknown
}

/** Every ESTree node under `node`, depth first. */
function visit(node: unknown, f: (n: Node) => void): void {
  if (Array.isArray(node)) for (const child of node) visit(child, f)
  else if (node !== null && typeof node === 'object') {
    if (typeof (node as Node).type === 'string') f(node as Node)
    for (const value of Object.values(node)) visit(value, f)
  }
}

export default defineConfig({
  // Beside tsc's output, never over it, so a later tsc -b cannot undo the bundle.
  input: { 'mesh-bridge': path('src/bin.ts') },
  platform: 'node',
  plugins: [builtinsWithoutEsmWrapper(), withoutPushgateway(), codeUnitOrderForSorting()],
  // Native: it loads its addon from node_modules (the polyfill is aliased below, and
  // src/bundle/lazy-datachannel.ts requires it at run time).
  external: (id) => /^node-datachannel(\/|$)/.test(id) && id !== 'node-datachannel/polyfill',
  resolve: {
    alias: {
      // mesh-core from its source, as in vitest.config.ts, so the source map reaches its .ts files.
      'mesh-core': path('../mesh-core/src/index.ts'),
      '#platform': path('../mesh-core/src/platform/node.ts'),
      // Its ESM build: the UMD one, the package's "main", requires modules dynamically.
      'jsonc-parser': resolve('jsonc-parser/lib/esm/main.js'),
      // Memory (src/bundle/): the native WebRTC addon loads on a bridge's first WebRTC
      // link and ws on its first /ws listener, not at start; noise's two WebAssembly
      // modules give way to node:crypto.
      'node-datachannel/polyfill': path('src/bundle/lazy-datachannel.ts'),
      ws: path('src/bundle/lazy-ws.ts'),
      '@chainsafe/as-chacha20poly1305': path('src/bundle/node-chacha20poly1305.ts'),
      '@chainsafe/as-sha256': path('src/bundle/node-sha256.ts')
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
