import { pollIntervalMs } from '../constants'
import { sample } from '../samples'
import type { SensorSource } from '../types'
import { abandoned, sourceKit } from './kit'
import { levelOf } from './level'

/** The sound level, 0..1 (see `levelOf`). */
export const microphoneSensor = 'microphone'

/** Samples per analysed block: about 43 ms at 48 kHz. */
const fftSize = 2_048

/** The microphone's level: an `AnalyserNode` on the `getUserMedia` audio, polled. */
export function microphoneSource(): SensorSource {
  const kit = sourceKit()
  let stopAll = (): void => undefined

  return {
    name: 'microphone',
    permission: 'microphone',
    available: () =>
      typeof navigator.mediaDevices?.getUserMedia === 'function' &&
      typeof globalThis.AudioContext === 'function',
    start() {
      const token = kit.begin()
      const asked = navigator.mediaDevices.getUserMedia({ audio: true, video: false })
      // Made inside the click too, so it is allowed to run without a later resume().
      const audio = new AudioContext()
      return (async () => {
        let stream: MediaStream
        try {
          stream = await asked
        } catch (err) {
          void audio.close()
          throw err
        }
        const tracks = stream.getTracks()
        if (!kit.live(token)) {
          for (const t of tracks) t.stop()
          void audio.close()
          throw abandoned()
        }
        const analyser = audio.createAnalyser()
        analyser.fftSize = fftSize
        audio.createMediaStreamSource(stream).connect(analyser)
        const block = new Float32Array(analyser.fftSize)
        const poll = setInterval(() => {
          analyser.getFloatTimeDomainData(block)
          kit.publish(sample(microphoneSensor, levelOf(block), undefined, Date.now()))
        }, pollIntervalMs)
        for (const t of tracks) t.addEventListener('ended', () => kit.fail('the microphone track ended'))
        stopAll = () => {
          clearInterval(poll)
          for (const t of tracks) t.stop()
          void audio.close()
        }
        if (audio.state === 'suspended') await audio.resume()
      })()
    },
    stop() {
      kit.reset()
      stopAll()
      stopAll = () => undefined
    },
    read: kit.read,
    subscribe: kit.subscribe,
    readable: () => [microphoneSensor],
    capability: () => true,
    onChange: kit.onChange,
    onFailure: kit.onFailure
  }
}
