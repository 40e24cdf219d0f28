/**
 * RTP packets for the worker's tests: a 12-byte header and 4 bytes of payload.
 *
 * @module
 */

/** An RTP packet with the marker bit set, of payload type `pt`. */
export function rtp(seq: number, timestamp: number, ssrc: number, pt = 96): Uint8Array {
  const packet = new Uint8Array(16);
  const view = new DataView(packet.buffer);
  packet[0] = 0x80;
  packet[1] = 0x80 | pt;
  view.setUint16(2, seq);
  view.setUint32(4, timestamp);
  view.setUint32(8, ssrc);
  return packet;
}
