import { fileURLToPath } from 'node:url'

/**
 * Where to look for the built PWA when `pwaDir` is not given, in order: a copy bundled
 * with the package (`<package>/dist/pwa`), then the workspace's `apps/pwa/dist`.
 * This file sits one level under the package root both as `src/` and as `dist/`.
 */
export function defaultPwaDirs(): string[] {
  return [
    fileURLToPath(new URL('../dist/pwa', import.meta.url)),
    fileURLToPath(new URL('../../pwa/dist', import.meta.url))
  ]
}
