/**
 * Loss repair towards one viewer, bounded: a packet the viewer NACKs is
 * resent at most once per {@link RESEND_GAP_MS}.
 *
 * werift's sender resends every sequence number of every NACK, and some
 * receivers (werift's own among them) repeat a NACK every 5 ms until the
 * packet arrives: one lost packet could go out ten times, and a relay losing
 * packets under load would bury itself in resends. libwebrtc's sender does
 * the same as here (no resend of a packet within a round trip of the last).
 *
 * @module
 */
import {
  GenericNack,
  type RtcpPacket,
  RtcpTransportLayerFeedback,
  type RTCRtpSender,
} from "werift";

/** A packet is not resent again sooner than this (a generous loopback round trip). */
export const RESEND_GAP_MS = 40;

/** Beyond this many remembered resends, the stale ones are forgotten. */
const REMEMBERED = 1024;

/** Makes `sender` resend a NACKed packet at most once per {@link RESEND_GAP_MS}. */
export function boundResends(sender: RTCRtpSender, now = () => performance.now()): void {
  const resentAt = new Map<number, number>();
  const handle = sender.handleRtcpPacket.bind(sender);
  sender.handleRtcpPacket = (packet: RtcpPacket) => {
    if (packet instanceof RtcpTransportLayerFeedback && packet.feedback instanceof GenericNack) {
      const at = now();
      packet.feedback.lost = packet.feedback.lost.filter((sequence) => {
        const last = resentAt.get(sequence);
        if (last !== undefined && at - last < RESEND_GAP_MS) return false;
        resentAt.set(sequence, at);
        return true;
      });
      if (resentAt.size > REMEMBERED) forgetBefore(resentAt, at - RESEND_GAP_MS);
    }
    handle(packet);
  };
}

function forgetBefore(resentAt: Map<number, number>, cutoff: number): void {
  for (const [sequence, at] of resentAt) if (at < cutoff) resentAt.delete(sequence);
}
