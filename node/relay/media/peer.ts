/**
 * Small werift helpers shared by the relay's peer connections.
 *
 * @module
 */
import { type PeerConfig, RTCPeerConnection } from "werift";

/**
 * A werift peer connection whose DTLS handshakes discard retransmitted
 * handshake messages (see {@link discardRepeatedHandshakes}). Every peer
 * connection of the relay and its clients is made here.
 */
export function createPeerConnection(config: Partial<PeerConfig>): RTCPeerConnection {
  const pc = new RTCPeerConnection(config);
  discardRepeatedHandshakes(pc);
  return pc;
}

/** The DTLS socket of a werift peer connection, once its handshake starts. */
export type DtlsSocket = NonNullable<RTCPeerConnection["dtlsTransports"][number]["dtls"]>;

/**
 * Calls `handler` with each DTLS socket of `pc` as it is made, before any
 * handshake message reaches it.
 */
export function onDtlsSocket(pc: RTCPeerConnection, handler: (socket: DtlsSocket) => void): void {
  const seen = new WeakSet<object>();
  pc.connectionStateChange.subscribe((state) => {
    if (state !== "connecting") return;
    for (const transport of pc.dtlsTransports) {
      if (seen.has(transport)) continue;
      seen.add(transport);
      // werift makes the socket synchronously right after the transport says "connecting".
      transport.onStateChange.subscribe((transportState) => {
        if (transportState === "connecting") {
          queueMicrotask(() => transport.dtls && handler(transport.dtls));
        }
      });
    }
  });
}

/**
 * Makes `pc`'s DTLS handshakes discard a handshake message whose sequence
 * number was already handled, as RFC 6347 §4.2.2 says.
 *
 * werift 0.25 handles such a message again: a browser that repeats its
 * flight 4 because a busy relay answered late makes werift's DTLS client
 * draw a new key pair and recompute the master secret after the handshake
 * finished. Both ends then say "connected" while every SRTP packet and data
 * channel record fails authentication. werift's own retransmission timers
 * still repeat its flights, so discarding loses nothing. The one exception
 * is a client's first ClientHello: the server answers it statelessly (a
 * HelloVerifyRequest, never retransmitted), so a lost answer is recovered
 * only by answering the repeat.
 */
export function discardRepeatedHandshakes(pc: RTCPeerConnection): void {
  onDtlsSocket(pc, (socket) => {
    const handled = new Set<number>();
    const handle = socket.onHandleHandshakes;
    socket.onHandleHandshakes = (messages) => {
      const fresh = messages.filter((message) =>
        firstClientHello(message) || !handled.has(message.message_seq)
      );
      for (const message of fresh) handled.add(message.message_seq);
      return fresh.length > 0 ? handle(fresh) : Promise.resolve();
    };
  });
}

/** The DTLS handshake type of a ClientHello. */
const CLIENT_HELLO = 1;

function firstClientHello(message: { msg_type: number; message_seq: number }): boolean {
  return message.msg_type === CLIENT_HELLO && message.message_seq === 0;
}

/** Resolves once `pc` has gathered its ICE candidates (the relay answers without trickling). */
export function gatheringComplete(pc: RTCPeerConnection, timeoutMs = 5_000): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === "complete") done();
    });
    function done() {
      clearTimeout(timer);
      unSubscribe();
      resolve();
    }
  });
}

/**
 * Calls `onGone` once when `pc` fails, closes, or stays disconnected for
 * `disconnectedMs` (ICE consent lost: the other side went away without a word).
 */
export function onPeerGone(
  pc: RTCPeerConnection,
  onGone: () => void,
  disconnectedMs = 4_000,
): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let gone = false;
  const fire = () => {
    if (gone) return;
    gone = true;
    clearTimeout(timer);
    onGone();
  };
  pc.connectionStateChange.subscribe((state) => {
    if (state === "failed" || state === "closed") fire();
    else if (state === "disconnected") timer ??= setTimeout(fire, disconnectedMs);
    else if (state === "connected") {
      clearTimeout(timer);
      timer = undefined;
    }
  });
}
