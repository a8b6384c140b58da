/**
 * The transport interface, kept in the model (the executor depends on it, not on a transport):
 * re-exported here for the transports.
 * @module
 */
export type { FetchLike, Transport, TransportRequest, TransportResponse, TransportTimeouts, TransportTls } from '../model/transport.js'
