// Builds the PWA the way `vite build` does, into a temporary directory, and checks what a
// browser installing it will see: the manifest and its icons, the service worker's
// precache list, and a bundle free of Node-only modules.
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32 } from 'node:zlib'
import { build } from 'vite'
import type { Rolldown } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const pwaRoot = fileURLToPath(new URL('..', import.meta.url))
const buildTimeoutMs = 240_000

/** Strings that only appear if Node-only code reached the browser bundle. */
const nodeOnlyStrings = ['node:fs', 'node:net', 'node-datachannel', '@libp2p/tcp']

/** Module paths that must never be part of the browser graph. */
const nodeOnlyModules =
  /node_modules\/(?:@libp2p\/(?:tcp|mdns)|node-datachannel)\/|mesh-core\/dist\/platform\/node\.js$/

let outDir = ''
let chunks: Rolldown.OutputChunk[] = []

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'mesh-pwa-build-'))
  // vitest sets NODE_ENV=test, which would give a development build of React.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    const result = await build({
      configFile: join(pwaRoot, 'vite.config.ts'),
      root: pwaRoot,
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true }
    })
    const outputs = Array.isArray(result) ? result : 'output' in result ? [result] : []
    chunks = outputs.flatMap((o) => o.output.filter((x): x is Rolldown.OutputChunk => x.type === 'chunk'))
  } finally {
    process.env.NODE_ENV = nodeEnv
  }
}, buildTimeoutMs)

afterAll(async () => {
  if (outDir !== '') await rm(outDir, { recursive: true, force: true })
})

async function readText(file: string): Promise<string> {
  return readFile(join(outDir, file), 'utf8')
}

/** Width and height from a PNG's IHDR, after checking the signature and the header's CRC. */
async function pngSize(file: string): Promise<{ width: number; height: number }> {
  const png = await readFile(join(outDir, file))
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true)
  expect(png.readUInt32BE(8)).toBe(13)
  expect(png.toString('latin1', 12, 16)).toBe('IHDR')
  expect(png.readUInt32BE(29)).toBe(crc32(png.subarray(12, 29)))
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

/** The URLs in the service worker's `precacheAndRoute([...])` list. */
function precacheUrls(sw: string): string[] {
  return [...sw.matchAll(/\{\s*url:\s*"([^"]+)",\s*revision:/g)].map((m) => m[1] ?? '')
}

interface ManifestIcon {
  src: string
  sizes: string
  type?: string
  purpose?: string
}

interface WebManifest {
  name?: unknown
  short_name?: unknown
  start_url?: unknown
  display?: unknown
  icons?: ManifestIcon[]
}

describe('PWA build', () => {
  it('writes an index.html that links the manifest', async () => {
    const html = await readText('index.html')
    const href = /<link rel="manifest" href="([^"]+)"/.exec(html)?.[1]
    expect(href).toBeDefined()
    expect(existsSync(join(outDir, href ?? ''))).toBe(true)
  })

  it('has a manifest with name, start_url, standalone display and real 192 and 512 PNG icons', async () => {
    const manifest = JSON.parse(await readText('manifest.webmanifest')) as WebManifest
    expect(manifest.name).toBe('Mesh')
    expect(manifest.short_name).toBe('Mesh')
    expect(manifest.start_url).toBe('/')
    expect(manifest.display).toBe('standalone')
    const icons = manifest.icons ?? []
    for (const size of [192, 512]) {
      const icon = icons.find((i) => i.sizes === `${size}x${size}` && i.purpose !== 'maskable')
      expect(icon, `a ${size}px icon`).toBeDefined()
      expect(icon?.type).toBe('image/png')
      expect(await pngSize(icon?.src ?? '')).toEqual({ width: size, height: size })
    }
    const maskable = icons.find((i) => i.purpose === 'maskable')
    expect(maskable, 'a maskable icon').toBeDefined()
    expect(await pngSize(maskable?.src ?? '')).toEqual({ width: 512, height: 512 })
  })

  it('precaches the app shell, index.html included, and never bootstrap.json', async () => {
    const sw = await readText('sw.js')
    const urls = precacheUrls(sw)
    expect(urls).toContain('index.html')
    expect(urls).toContain('manifest.webmanifest')
    expect(urls.some((u) => u.endsWith('.js'))).toBe(true)
    expect(urls.filter((u) => u.includes('bootstrap.json'))).toEqual([])
    expect(urls.filter((u) => u.endsWith('.map'))).toEqual([])
    expect(
      urls.filter((u, i) => urls.indexOf(u) !== i),
      'duplicate entries'
    ).toEqual([])
    for (const url of urls) expect(existsSync(join(outDir, url)), url).toBe(true)
    // The navigation fallback must not answer for the relay's own endpoints.
    expect(sw).toContain('bootstrap')
    expect(sw).toContain('healthz')
  })

  it('bundles the browser platform of mesh-core and no Node-only module', async () => {
    const moduleIds = chunks.flatMap((c) => c.moduleIds).map((id) => id.replaceAll('\\', '/'))
    expect(moduleIds.filter((id) => nodeOnlyModules.test(id))).toEqual([])
    expect(moduleIds.some((id) => id.endsWith('mesh-core/dist/platform/browser.js'))).toBe(true)

    const assets = await readdir(join(outDir, 'assets'))
    const scripts = assets.filter((f) => f.endsWith('.js'))
    expect(scripts.length).toBeGreaterThan(0)
    for (const file of [...scripts.map((f) => `assets/${f}`), 'sw.js']) {
      const js = await readText(file)
      for (const needle of nodeOnlyStrings) expect(js.includes(needle), `${needle} in ${file}`).toBe(false)
    }
  })
})
