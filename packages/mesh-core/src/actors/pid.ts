import type { Pid } from './types.ts'

let counter = 0

/** A new pid born on `host`: `<host>/<local>`. */
export function newPid(host: string, local?: string): Pid {
  return `${host}/${local ?? `${Date.now().toString(36)}.${(counter++).toString(36)}`}`
}

/** Pids hold a '/'; names never do. */
export function isPid(s: string): boolean {
  const i = s.indexOf('/')
  return i > 0 && i < s.length - 1
}

/** The peer a pid was born on: where it lives unless it moved. */
export function birthHost(pid: Pid): string {
  return pid.slice(0, pid.indexOf('/'))
}

export const MAX_PID_LENGTH = 256
export const MAX_ACTOR_NAME = 256

export function pidProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length > MAX_PID_LENGTH || !isPid(v)) return 'bad pid'
  return undefined
}
