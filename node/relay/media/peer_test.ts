import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type RTCDataChannel, RTCPeerConnection } from "werift";
import { peerConfig } from "../rtc_config.ts";
import { createPeerConnection, onDtlsSocket } from "./peer.ts";

/** `promise`, or an error naming `what` once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The next message on `channel`. */
function nextMessage(channel: RTCDataChannel): Promise<string> {
  return new Promise((resolve) => channel.onMessage.once((data) => resolve(data.toString())));
}

/** Resolves once `channel` is open. */
function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === "open") return Promise.resolve();
  return new Promise((resolve) => channel.stateChanged.subscribe((s) => s === "open" && resolve()));
}

Deno.test("a DTLS flight the server repeats late does not change the client's keys", async () => {
  // The offerer is the DTLS server; it sends each handshake datagram twice,
  // the copy 30 ms later, as a browser does when a busy relay answers late.
  const server = new RTCPeerConnection(peerConfig({ loopbackOnly: true }));
  onDtlsSocket(server, (socket) => {
    // werift types the socket's send as read-only; the test replaces it to repeat datagrams.
    const transport = socket.transport as { send: typeof socket.transport.send };
    const send = transport.send;
    transport.send = (datagram, address) => {
      if (!socket.connected) setTimeout(() => void send(datagram, address).catch(() => {}), 30);
      return send(datagram, address);
    };
  });
  const client = createPeerConnection(peerConfig({ loopbackOnly: true }));
  try {
    const serverChannel = server.createDataChannel("check");
    const clientChannel = new Promise<RTCDataChannel>((resolve) =>
      client.onDataChannel.once(resolve)
    );
    await server.setLocalDescription(await server.createOffer());
    await client.setRemoteDescription(server.localDescription!);
    await client.setLocalDescription(await client.createAnswer());
    await server.setRemoteDescription(client.localDescription!);
    const channel = await within(clientChannel, 5_000, "the client's data channel");
    await within(Promise.all([opened(serverChannel), opened(channel)]), 5_000, "channels open");
    // Past the repeats: records sent now are sealed with the keys both ends hold.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const toClient = nextMessage(channel);
    serverChannel.send("from the server");
    assertEquals(await within(toClient, 3_000, "server to client"), "from the server");
    const toServer = nextMessage(serverChannel);
    channel.send("from the client");
    assertEquals(await within(toServer, 3_000, "client to server"), "from the client");
  } finally {
    await Promise.all([server.close(), client.close()]);
  }
});

Deno.test("an offer of video, audio and data opens one transport", async () => {
  const pc = createPeerConnection(peerConfig({ loopbackOnly: true }));
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  pc.createDataChannel("sutantra-pay");
  await pc.setLocalDescription(await pc.createOffer());
  // An extra transport per m-line (werift's default) outlives close(): a UDP socket per session.
  assertEquals(pc.dtlsTransports.length, 1);
  await pc.close();
});
