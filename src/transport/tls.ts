/**
 * TLS options of an attempt as Node's `tls.connect` (and so undici and `https.Agent`) take them.
 * @module
 */
import type { TransportTls } from '../model/transport.js'

/**
 * The `tls.connect` options of a request's TLS material (only what is set).
 * @example
 * tlsConnectOptions({ ca: 'PEM', cert: null, key: null, passphrase: null, rejectUnauthorized: true }) // { ca: 'PEM', rejectUnauthorized: true }
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const tlsConnectOptions = (
  tls: TransportTls | null,
): { ca?: string; cert?: string; key?: string; passphrase?: string; rejectUnauthorized?: boolean } =>
  tls === null
    ? {}
    : {
        ...(tls.ca === null ? {} : { ca: tls.ca }),
        ...(tls.cert === null ? {} : { cert: tls.cert }),
        ...(tls.key === null ? {} : { key: tls.key }),
        ...(tls.passphrase === null ? {} : { passphrase: tls.passphrase }),
        rejectUnauthorized: tls.rejectUnauthorized,
      }
