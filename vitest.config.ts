import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // Tests run mesh-core from source; in Node the platform is the Node one.
    alias: { '#platform': fileURLToPath(new URL('packages/mesh-core/src/platform/node.ts', import.meta.url)) }
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/relay/test/**/*.test.ts', 'apps/pwa/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // CI asks for a JSON report too, to add up one "N passed, N failed" line.
    reporters: process.env.MESH_VITEST_JSON !== undefined ? ['default', 'json'] : ['default'],
    ...(process.env.MESH_VITEST_JSON !== undefined
      ? { outputFile: { json: process.env.MESH_VITEST_JSON } }
      : {})
  }
})
