import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { parseFromVictim } from './victim-protocol.ts'
import type { ToVictim } from './victim-protocol.ts'

const SCRIPT = new URL('./victim.js', import.meta.url)
const READY_DEADLINE_MS = 30_000
const EXIT_DEADLINE_MS = 10_000

/** A victim peer in a child process (victim.ts). */
export interface VictimProcess {
  peerId: string
  pid: number
  /** Send a signal and wait for the process to be gone. */
  kill(signal: NodeJS.Signals): Promise<void>
  /** Ask it to stop gracefully; SIGKILL when it does not exit in time. */
  stop(): Promise<void>
}

export async function startVictim(name: string, bootstrap: string[]): Promise<VictimProcess> {
  const child: ChildProcess = fork(SCRIPT, [name, ...bootstrap], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null
  const waitExit = async (ms: number): Promise<boolean> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
    const ok = await Promise.race([exited.then(() => true), late])
    clearTimeout(timer)
    return ok
  }
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (!gone()) child.kill(signal)
    if (!(await waitExit(EXIT_DEADLINE_MS))) throw new Error(`victim ${child.pid} survived ${signal}`)
  }
  try {
    const peerId = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`victim ${name} not ready in ${READY_DEADLINE_MS} ms`)),
        READY_DEADLINE_MS
      )
      child.once('exit', (code) => reject(new Error(`victim ${name} exited (${code}) before it was ready`)))
      child.on('message', (raw: unknown) => {
        clearTimeout(timer)
        try {
          const msg = parseFromVictim(raw)
          if (msg.type === 'ready') resolve(msg.peerId)
          else reject(new Error(`victim ${name} failed: ${msg.message}`))
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)))
        }
      })
    })
    return {
      peerId,
      pid: child.pid ?? -1,
      kill,
      async stop() {
        if (gone()) return
        child.send({ type: 'stop' } satisfies ToVictim)
        if (!(await waitExit(EXIT_DEADLINE_MS))) await kill('SIGKILL')
      }
    }
  } catch (err) {
    await kill('SIGKILL').catch(() => {})
    throw err
  }
}
