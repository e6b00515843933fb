import type { Capabilities } from 'mesh-core'
import { gpuSampleMs } from './constants.ts'
import { under } from './files.ts'
import { polledSource } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'
import { SensorError } from '../source.ts'

/**
 * `gpu`: counts GPUs from device nodes. `/dev/nvidia0`, `/dev/nvidia1`… are NVIDIA GPUs
 * (`nvidiactl`, `nvidia-uvm` are not). `/dev/dri/renderD*` are DRM render nodes, one per GPU
 * that can compute; display-only devices have just `/dev/dri/card*`, counted when there is no
 * render node. A render node whose driver is `nvidia` (nvidia-drm) is the same GPU as a
 * `/dev/nvidiaN` and is not counted twice.
 *
 * Capabilities: `gpu` (count) and `gpuKinds` (`nvidia`, `dri`), both absent when there is none.
 * No sensors.
 */
export function gpuSource(init: SourceInit = {}): PolledSource {
  const root = init.root ?? '/'
  return polledSource('gpu', init, gpuSampleMs, {
    async scan(files) {
      const nvidia = (await files.list(under(root, 'dev'))).filter((n) => /^nvidia\d+$/.test(n)).length
      const dri = await files.list(under(root, 'dev/dri'))
      const render = dri.filter((n) => /^renderD\d+$/.test(n))
      let drm = 0
      if (render.length > 0) {
        for (const node of render) {
          const driver = await files.linkName(under(root, 'sys/class/drm', node, 'device/driver'))
          if (!(nvidia > 0 && driver === 'nvidia')) drm++
        }
      } else {
        drm = dri.filter((n) => /^card\d+$/.test(n)).length
      }
      const caps: Capabilities = {}
      const kinds: string[] = []
      if (nvidia > 0) kinds.push('nvidia')
      if (drm > 0) kinds.push('dri')
      if (nvidia + drm > 0) {
        caps.gpu = nvidia + drm
        caps.gpuKinds = kinds
      }
      return { capabilities: caps, sensors: [] }
    },
    read(sensor) {
      return Promise.reject(new SensorError(`gpu: no sensor "${sensor.id}"`, 'NOT_FOUND'))
    }
  })
}
