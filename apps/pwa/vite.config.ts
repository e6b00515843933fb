import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

/** The dark background of the icons, also the browser chrome colour. */
const themeColour = '#0b1020'

/** libp2p ships modern syntax (top-level await, class fields); nothing older can run it. */
const target = 'es2022'

/** The main chunk (libp2p) is about 0.9 MB; Workbox skips files over its 2 MiB default, so leave room. */
const maxPrecacheBytes = 4 * 1024 * 1024

/** Where `vite` (dev) finds a relay: mesh-relay's default port on this machine. */
const defaultRelayUrl = 'http://127.0.0.1:8080'

export default defineConfig({
  // Builds work from any working directory (the build test runs from the repo root).
  root: import.meta.dirname,
  base: '/',
  build: {
    target,
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 4096
  },
  // The dev server has no relay of its own: take bootstrap.json from a local mesh-relay.
  server: { proxy: { '/bootstrap.json': process.env.MESH_RELAY_URL ?? defaultRelayUrl } },
  // `vite preview` for screenshots and smoke tests: loopback only, a fixed port.
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  optimizeDeps: {
    // The dev server pre-bundles libp2p too; keep its syntax level in step with the build.
    rolldownOptions: { transform: { target } }
  },
  plugins: [
    react(),
    VitePWA({
      registerType: 'prompt',
      strategies: 'generateSW',
      // The app registers the worker itself through `virtual:pwa-register/react`.
      injectRegister: false,
      // globPatterns below already pick up the icons; listing them twice duplicates entries.
      includeManifestIcons: false,
      manifest: {
        name: 'Mesh',
        short_name: 'Mesh',
        description: 'A capability mesh: phones, laptops and devices as equal peers.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: themeColour,
        background_color: themeColour,
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
        ]
      },
      workbox: {
        // The app shell only; the plugin adds the manifest itself. bootstrap.json is neither
        // precached nor cached at run time: relay addresses change, so it comes from the network.
        globPatterns: ['**/*.{html,js,css,svg,png}'],
        globIgnores: ['**/bootstrap.json'],
        runtimeCaching: [],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/bootstrap\.json$/, /^\/healthz$/],
        cleanupOutdatedCaches: true,
        maximumFileSizeToCacheInBytes: maxPrecacheBytes
      }
    })
  ]
})
