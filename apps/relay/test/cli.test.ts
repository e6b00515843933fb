import { execFile, spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { main } from '../src/cli.js'
import { get, isHealthy, tempDir, waitFor } from './helpers.js'

const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** Collects what the CLI writes. */
function capture(): { write(text: string): boolean; text(): string } {
  let out = ''
  return {
    write(text: string) {
      out += text
      return true
    },
    text: () => out
  }
}

async function runMain(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture()
  const stderr = capture()
  const code = await main(argv, { stdout, stderr, signals: new EventEmitter() })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

/** Whether something accepts connections on 127.0.0.1:port. */
async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}

interface JsonLine {
  event: string
  level: string
  url?: string
  peerId?: string
  addresses?: string[]
}

function jsonLines(text: string): JsonLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonLine)
}

describe('mesh-relay CLI', () => {
  it('prints usage for --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout } = await runMain([flag])
      expect(code).toBe(0)
      expect(stdout).toContain('Usage: mesh-relay')
      expect(stdout).toContain('--max-reservations')
    }
  })

  it('prints the package version for --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const { code, stdout } = await runMain([flag])
      expect(code).toBe(0)
      expect(stdout.trim()).toBe(version)
    }
  })

  it.each([
    [['--frobnicate']],
    [['--port', 'abc']],
    [['--port', '70000']],
    [['-p', '-1']],
    [['--port']],
    [['--max-reservations', '0']],
    [['--relayed-duration-ms', '0']],
    [['--reservation-ttl-ms', 'soon']],
    [['--announce', 'relay.example.org']],
    [['--cert', 'cert.pem']],
    [['--host', 'not-an-ip', '--port', '0']],
    [['stray-positional']]
  ])('exits 2 with a message on stderr for %j', async (argv) => {
    const { code, stdout, stderr } = await runMain(argv)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^mesh-relay: [\s\S]+\nRun mesh-relay --help for usage\.\n$/)
  })

  it('runs, logs JSON lines, and stops with 0 on SIGTERM', async () => {
    await using data = await tempDir()
    const stdout = capture()
    const stderr = capture()
    const signals = new EventEmitter()
    const exit = main(['--port', '0', '--host', '127.0.0.1', '--json', '--data-dir', data.path], {
      stdout,
      stderr,
      signals
    })
    const started = await waitFor('the started line', () =>
      jsonLines(stdout.text()).find((l) => l.event === 'relay:started')
    )
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(jsonLines(stdout.text()).some((l) => l.event === 'relay:hint')).toBe(true)
    const health = await get(`${started.url}/healthz`)
    expect(isHealthy(health.body, started.peerId ?? '')).toBe(true)

    signals.emit('SIGTERM')
    expect(await exit).toBe(0)
    expect(jsonLines(stdout.text()).map((l) => l.event)).toContain('relay:stopped')
    expect(await accepting(Number(new URL(started.url ?? '').port))).toBe(false)
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0)
  })

  it('prints URLs, addresses and a QR code for people, and a second signal forces exit 1', async () => {
    await using data = await tempDir()
    const stdout = capture()
    const signals = new EventEmitter()
    const exit = main(['-p', '0', '--host', '127.0.0.1', '--data-dir', data.path], {
      stdout,
      stderr: capture(),
      signals
    })
    await waitFor('the banner', () => (stdout.text().includes('Press Ctrl+C') ? true : undefined))
    const text = stdout.text()
    const url = /Local: +(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1]
    expect(url).toBeDefined()
    expect(text).toMatch(/Relay: +\//)
    expect(text).toMatch(/ +\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/12D3Koo/)
    expect(text).toContain('Hint: phones need --tls')
    // The QR code is drawn with half-block characters.
    expect(text).toMatch(/[▀▄█]{5}/)

    signals.emit('SIGINT')
    signals.emit('SIGINT')
    expect(await exit).toBe(1)
    // The first signal's graceful close still completes in the background: the web
    // server and the libp2p WebSocket listener both go away.
    const wsPort = Number(/\/tcp\/(\d+)\/ws\/p2p\//.exec(text)?.[1])
    for (const port of [Number(new URL(url ?? '').port), wsPort]) {
      expect(port).toBeGreaterThan(0)
      await waitFor(`port ${port} to close`, async () => ((await accepting(port)) ? undefined : true))
    }
  })
})

describe('the built mesh-relay bin', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

  beforeAll(async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    // -p, not -b: rebuild this package only. Rebuilding mesh-core here would rewrite its
    // dist/ under the test files running in parallel; the run builds it beforehand.
    await promisify(execFile)(process.execPath, [tsc, '-p', 'apps/relay'], { cwd: root })
  }, 180_000)

  it('starts with --port 0 --json, serves /healthz, and exits 0 on SIGTERM', async () => {
    await using data = await tempDir()
    const child = spawn(
      process.execPath,
      [bin, '--port', '0', '--host', '127.0.0.1', '--json', '--data-dir', data.path],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    try {
      let out = ''
      let err = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
      const started = await waitFor(
        'the started line',
        () => {
          if (child.exitCode !== null) throw new Error(`mesh-relay exited ${child.exitCode}: ${err}`)
          return jsonLines(out.slice(0, out.lastIndexOf('\n') + 1)).find((l) => l.event === 'relay:started')
        },
        { timeoutMs: 20_000 }
      )
      const health = await get(`${started.url}/healthz`)
      expect(health.status).toBe(200)
      expect(isHealthy(health.body, started.peerId ?? '')).toBe(true)

      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(jsonLines(out).map((l) => l.event)).toContain('relay:stopped')
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    }
  })
})
