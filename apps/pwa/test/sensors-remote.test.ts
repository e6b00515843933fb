import { PeerLostError, Task } from 'mesh-core'
import type { TaskOptions } from 'mesh-core'
import { describe, expect, it } from 'vitest'
import { captureOn, streamFrom } from '../src/sensors/remote'
import type { Sample } from '../src/sensors/types'

type Script = (chunk: (v: unknown) => void) => Promise<unknown>

/** A mesh whose `task()` plays one script per call, in order, and records what it was asked. */
function scriptedMesh(scripts: Script[]) {
  const asked: Array<{ name: string; args: unknown; o: TaskOptions | undefined }> = []
  return {
    asked,
    mesh: {
      task<R>(_needs: unknown, name: string, args?: unknown, o?: TaskOptions): Task<R> {
        asked.push({ name, args, o })
        const script = scripts.shift() ?? (() => Promise.reject(new Error('no more scripts')))
        return new Task<R>((_signal, sink) => script((v) => sink.chunk(v)) as Promise<R>)
      }
    }
  }
}

const jpeg = { mime: 'image/jpeg', width: 2, height: 1, data: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) }
const lost = (): Promise<never> => Promise.reject(new PeerLostError('no direct connection'))
const motion = (i: number): Sample => ({ sensor: 'motion', value: [i, 0, 9.8], unit: 'm/s²', at: i })

async function collect(it: AsyncIterable<Sample>): Promise<Sample[]> {
  const out: Sample[] = []
  for await (const s of it) out.push(s)
  return out
}

describe('captureOn', () => {
  it('pins the task to the peer and checks the answer', async () => {
    const { mesh, asked } = scriptedMesh([() => Promise.resolve(jpeg)])
    await expect(captureOn(mesh, 'phone', { width: 320 })).resolves.toMatchObject({ width: 2, height: 1 })
    expect(asked[0]).toMatchObject({ name: 'camera.capture', args: { width: 320 }, o: { peer: 'phone' } })
  })

  it('passes a lost connection on to the caller: mesh-core redials, the app does not retry', async () => {
    const { mesh, asked } = scriptedMesh([lost, () => Promise.resolve(jpeg)])
    await expect(captureOn(mesh, 'phone')).rejects.toMatchObject({ name: 'PeerLostError' })
    expect(asked).toHaveLength(1)
  })

  it('refuses an answer that is not a JPEG', async () => {
    const { mesh } = scriptedMesh([() => Promise.resolve({ ...jpeg, data: new Uint8Array([1, 2, 3]) })])
    await expect(captureOn(mesh, 'phone')).rejects.toMatchObject({ name: 'BadSensorReplyError' })
  })
})

describe('streamFrom', () => {
  const args = { sensor: 'motion', rateHz: 10, durationMs: 1_000 }

  it('yields the checked samples until the task ends', async () => {
    const { mesh, asked } = scriptedMesh([
      (chunk) => {
        chunk(motion(1))
        chunk(motion(2))
        return Promise.resolve({ samples: 2 })
      }
    ])
    expect(await collect(streamFrom(mesh, 'phone', args))).toEqual([motion(1), motion(2)])
    expect(asked[0]).toMatchObject({ name: 'sensor.stream', args, o: { peer: 'phone', timeoutMs: 11_000 } })
  })

  it('ends with the error when the stream is lost, asking once', async () => {
    const { mesh, asked } = scriptedMesh([lost, () => Promise.resolve({})])
    await expect(collect(streamFrom(mesh, 'phone', args))).rejects.toMatchObject({ name: 'PeerLostError' })
    expect(asked).toHaveLength(1)
  })

  it('fails on a malformed sample', async () => {
    const { mesh } = scriptedMesh([
      (chunk) => {
        chunk({ sensor: 'motion', value: 'not a number list', at: 'now' })
        return Promise.resolve({})
      }
    ])
    await expect(collect(streamFrom(mesh, 'phone', args))).rejects.toMatchObject({
      name: 'BadSensorReplyError'
    })
  })
})
