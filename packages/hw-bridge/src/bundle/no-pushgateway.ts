// prom-client's Pushgateway, left out of the mesh-bridge bundle (rolldown.config.ts): prom-client
// requires it, and with it https and tls, when it loads, though the bridge is scraped at
// /metrics and never pushes.
export default class Pushgateway {
  constructor() {
    throw new Error('mesh-bridge is scraped at /metrics; it has no Pushgateway client')
  }
}
