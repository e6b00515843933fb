import type { Capabilities } from 'mesh-core'
import { SensorError } from '../source.ts'
import { cameraSampleMs, maxListLength } from './constants.ts'
import { parseNumber, under } from './files.ts'
import { polledSource } from './polled.ts'
import type { PolledSource, SourceInit } from './polled.ts'

/** V4L2 nodes that are memory-to-memory codecs or ISPs, not cameras (a Raspberry Pi has a dozen). */
const notACamera = /codec|isp|decode|encode|hevc|rpivid|pispbe|jpeg|scaler|deinterlace/i

/**
 * `camera`: V4L2 capture devices, `/dev/video*`. When `/sys/class/video4linux/videoN` is there,
 * its `name` and `index` attributes weed out codec and ISP nodes and the metadata node a UVC webcam adds (`index` ≠ 0); without
 * sysfs every node counts.
 *
 * Capabilities: `camera` (count) and `cameras` (node names, e.g. `video0`), absent when none.
 * No sensors: capture belongs to the bridge.
 */
export function cameraSource(init: SourceInit = {}): PolledSource {
  const root = init.root ?? '/'
  return polledSource('camera', init, cameraSampleMs, {
    async scan(files) {
      const nodes = (await files.list(under(root, 'dev'))).filter((n) => /^video\d+$/.test(n))
      const cameras: string[] = []
      for (const node of nodes) {
        const sys = under(root, 'sys/class/video4linux', node)
        const name = await files.text(under(sys, 'name'))
        if (name !== undefined && notACamera.test(name)) continue
        const index = await files.text(under(sys, 'index'))
        if (index !== undefined && parseNumber(index) !== 0) continue
        cameras.push(node)
      }
      const caps: Capabilities = {}
      if (cameras.length > 0) {
        caps.camera = cameras.length
        caps.cameras = cameras.slice(0, maxListLength)
      }
      return { capabilities: caps, sensors: [] }
    },
    read(sensor) {
      return Promise.reject(new SensorError(`camera: no sensor "${sensor.id}"`, 'NOT_FOUND'))
    }
  })
}
