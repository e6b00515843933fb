import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

/** A mesh peer in its own process, so it can be SIGKILLed or stalled without touching ours. */
export interface ChildPeer {
  peerId: string
  pid: number
  /** Send a line to the child's control channel (stdin). */
  command(line: string): void
  /** Resolves when the child prints this line. */
  printed(line: string, ms?: number): Promise<void>
  /** Resolves with the rest of the first line the child prints that starts with `prefix`. */
  line(prefix: string, ms?: number): Promise<string>
  /** The peer ids the child lists right now. */
  peers(): Promise<string[]>
  kill(signal: NodeJS.Signals): Promise<void>
  /** Resolves when the child has exited, however. */
  exited: Promise<void>
}

const DIST = new URL('../dist/index.js', import.meta.url).href

/**
 * Start a device peer bootstrapped from `bootstrap`; `setup` is module code run with the
 * mesh as `m` before it says ready. On stdin it understands `stall <ms>`
 * (block the event loop), `peers` and `stop`. It prints `ready <peerId>`, `stalled`,
 * `peers <sorted JSON ids>` and `stopped`.
 */
export async function startChildPeer(
  bootstrap: string[],
  name: string,
  o: { capabilities?: Record<string, unknown>; setup?: string } = {}
): Promise<ChildPeer> {
  const script = `
    import { createInterface } from 'node:readline'
    import { createMesh } from ${JSON.stringify(DIST)}
    const m = await createMesh({ name: ${JSON.stringify(name)}, bootstrap: ${JSON.stringify(bootstrap)},
      mdns: false, dht: false, listen: ['/ip4/127.0.0.1/tcp/0'], capabilities: ${JSON.stringify(o.capabilities ?? {})} })
    ${o.setup ?? ''}
    console.log('ready ' + m.peerId)
    for await (const line of createInterface({ input: process.stdin })) {
      const [cmd, arg] = line.split(' ')
      if (cmd === 'stall') {
        const end = Date.now() + Number(arg)
        while (Date.now() < end) {}
        console.log('stalled')
      }
      if (cmd === 'peers') console.log('peers ' + JSON.stringify(m.peers().map((p) => p.id).sort()))
      if (cmd === 'stop') { await m.stop(); console.log('stopped'); process.exit(0) }
    }
    // stdin closed: the test process is gone, so is this peer (never an orphan).
    process.exit(0)`
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--input-type=module', '-e', script])
  let out = ''
  /** A complete line that is `text`, or starts with it when `prefix`: the rest of it. */
  const find = (text: string, prefix: boolean): string | undefined => {
    const l = out
      .split('\n')
      .slice(0, -1)
      .find((l) => (prefix ? l.startsWith(text) : l === text))
    return l?.slice(text.length)
  }
  const waiters: Array<{ text: string; prefix: boolean; resolve(rest: string): void }> = []
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    for (const w of [...waiters]) {
      const rest = find(w.text, w.prefix)
      if (rest !== undefined) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(rest)
      }
    }
  })
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const wait = (text: string, prefix: boolean, ms: number): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const now = find(text, prefix)
      if (now !== undefined) return resolve(now)
      const timer = setTimeout(() => reject(new Error(`child never printed "${text}": ${err}`)), ms)
      waiters.push({
        text,
        prefix,
        resolve: (rest) => {
          clearTimeout(timer)
          resolve(rest)
        }
      })
    })
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`child did not start: ${err}`))
    }, 20_000)
    const check = (): void => {
      const m = /^ready (\S+)$/m.exec(out)
      if (m?.[1] !== undefined) {
        clearTimeout(timer)
        child.stdout.off('data', check)
        resolve(m[1])
      }
    }
    child.stdout.on('data', check)
  })
  let asked = 0
  const peers = async (): Promise<string[]> => {
    asked++
    const before = out.split('\n').filter((l) => l.startsWith('peers ')).length
    child.stdin.write('peers\n')
    const end = Date.now() + 5_000
    for (;;) {
      const lines = out.split('\n').filter((l) => l.startsWith('peers '))
      if (lines.length > before) return JSON.parse(lines[lines.length - 1]?.slice(6) ?? '[]') as string[]
      if (Date.now() > end) throw new Error(`child did not answer peers (#${asked})`)
      await new Promise<void>((r) => setTimeout(r, 10))
    }
  }
  return {
    peerId: ready,
    peers,
    pid: child.pid ?? -1,
    command: (line) => child.stdin.write(line + '\n'),
    printed: (line, ms = 20_000) => wait(line, false, ms).then(() => {}),
    line: (prefix, ms = 20_000) => wait(prefix, true, ms),
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    }
  }
}
