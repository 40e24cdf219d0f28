import assert from "node:assert/strict";
import { StreamFan } from "./_fanout.ts";
import type { PacketHandler } from "./_publisher.ts";
import { SimulcastReceiver, vp8KeyframeWidth } from "./_simulcast.ts";
import type { ViewerLeg } from "./_viewer.ts";
import { LayerChoice } from "./layer_choice.ts";
import { readFeedback } from "./rtp.ts";

const RID_EXTENSION = 4;

/**
 * A VP8 packet: a one-byte RID header extension when `rid` is given, a
 * payload descriptor with a 15-bit PictureID and TL0PICIDX, and a keyframe
 * of `width` (or an interframe) that starts a frame.
 */
function vp8(
  { seq, timestamp, ssrc, picture, keyframe = false, width = 320, rid }: {
    seq: number;
    timestamp: number;
    ssrc: number;
    picture: number;
    keyframe?: boolean;
    width?: number;
    rid?: string;
  },
): Uint8Array {
  const extension = rid
    ? [0xbe, 0xde, 0, 1, (RID_EXTENSION << 4) | 0, rid.charCodeAt(0), 0, 0]
    : [];
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  header[0] = rid ? 0x90 : 0x80;
  header[1] = 96;
  view.setUint16(2, seq);
  view.setUint32(4, timestamp);
  view.setUint32(8, ssrc);
  const descriptor = [0x90, 0xe0, 0x80 | (picture >> 8), picture & 0xff, picture & 0xff, 0x00];
  const frame = [keyframe ? 0x00 : 0x01, 0, 0, 0x9d, 0x01, 0x2a, width & 0xff, width >> 8, 0, 0];
  return new Uint8Array([...header, ...extension, ...descriptor, ...frame]);
}

Deno.test("vp8KeyframeWidth() reads a keyframe's width and nothing else", () => {
  assert.equal(
    vp8KeyframeWidth(
      vp8({ seq: 1, timestamp: 1, ssrc: 1, picture: 1, keyframe: true, width: 1280 }),
    ),
    1280,
  );
  assert.equal(vp8KeyframeWidth(vp8({ seq: 1, timestamp: 1, ssrc: 1, picture: 1 })), 0);
});

Deno.test("SimulcastReceiver learns each SSRC's layer from its RID and sends RTCP per layer", () => {
  const sent: Uint8Array[] = [];
  const receiver = new SimulcastReceiver(
    { rids: ["q", "h", "f"], ridExtension: RID_EXTENSION },
    { bitrate: 3_000_000, clockRate: 90_000 },
    (rtcp) => sent.push(rtcp),
  );
  const at = (ms: number) => ms;
  assert.equal(
    receiver.receive(vp8({ seq: 1, timestamp: 1, ssrc: 11, picture: 1 }), at(0), true),
    undefined,
    "no RID yet",
  );
  assert.equal(
    receiver.receive(vp8({ seq: 2, timestamp: 1, ssrc: 11, picture: 1, rid: "x" }), at(1), true),
    undefined,
    "not offered",
  );
  const layers = [[11, "f", 1280], [22, "q", 320], [33, "h", 640]] as const;
  for (const [ssrc, rid, width] of layers) {
    const packet = vp8({ seq: 3, timestamp: 1, ssrc, picture: 1, keyframe: true, width, rid });
    assert.equal(receiver.receive(packet, at(2), true), rid);
  }
  assert.equal(
    receiver.receive(vp8({ seq: 4, timestamp: 2, ssrc: 11, picture: 2 }), at(3), true),
    "f",
    "the mapping is kept",
  );
  assert.deepEqual(receiver.flowing(at(10)), ["q", "h", "f"], "by width");
  assert.equal(sent.length, 3, "a REMB as each layer became known");
  receiver.requestKeyframe("h");
  const pli = sent.at(-1)!;
  assert.ok(readFeedback(pli).keyframe);
  assert.equal(new DataView(pli.buffer).getUint32(8), 33);
  receiver.report(at(1000));
  const reports = readFeedback(sent.at(-1)!).reports;
  assert.deepEqual(reports.map((r) => r.ssrc).sort(), [11, 22, 33]);
  assert.deepEqual(reports.map((r) => r.lost), [0, 0, 0], "counted from each SSRC's layer on");
  assert.deepEqual(receiver.flowing(at(1500)), [], "a second without packets: none flows");
});

/** A viewer leg as the fan drives it, recording what it was sent. */
class FakeViewer {
  videoType = 100;
  audioType = undefined;
  waiting = true;
  pending?: string;
  started = false;
  readonly choice = new LayerChoice();
  layer?: string;
  moves: string[] = [];
  sent: { seq: number; timestamp: number; picture: number; width: number }[] = [];

  setLayer(layer: string): void {
    if (layer === this.layer) return;
    this.layer = layer;
    this.moves.push(layer);
  }

  onKeyframeRequest(): void {}
  onReport(): void {}

  forward(_kind: string, packet: Uint8Array, keyframe: boolean): boolean {
    if (this.waiting) {
      if (!keyframe) return false;
      this.waiting = false;
      this.started = true;
    }
    const view = new DataView(packet.buffer, packet.byteOffset);
    const at = packet.length - 16;
    this.sent.push({
      seq: view.getUint16(2),
      timestamp: view.getUint32(4),
      picture: ((packet[at + 2] & 0x7f) << 8) | packet[at + 3],
      width: vp8KeyframeWidth(packet),
    });
    return true;
  }
}

/** A simulcast source of layers `rids`, recording the keyframes asked of it. */
function fakeSource(rids: string[]) {
  const source = {
    video: { payloadType: 96, name: "vp8" as const, clockRate: 90_000, fmtp: "" },
    rids,
    layers: () => rids,
    handler: (() => {}) as PacketHandler,
    onPacket: (handler: PacketHandler) => source.handler = handler,
    requests: [] as (string | undefined)[],
    requestKeyframe: (layer?: string) => source.requests.push(layer),
  };
  return source;
}

Deno.test("a viewer changes layer at the new layer's keyframe, its numbering unbroken", () => {
  const source = fakeSource(["q", "f"]);
  const handler: PacketHandler = (...args) => source.handler(...args);
  const requests = source.requests;
  const fan = new StreamFan("1", { videoSsrc: 5, audioSsrc: 6, cname: "c" }, () => 0);
  try {
    fan.attach(source);
    const auto = new FakeViewer();
    const pinned = new FakeViewer();
    pinned.choice.pin("q");
    fan.add(auto as unknown as ViewerLeg);
    fan.add(pinned as unknown as ViewerLeg);
    assert.deepEqual([auto.layer, pinned.layer], ["f", "q"]);
    const q = { ssrc: 1, seq: 100, timestamp: 9_000, picture: 500 };
    const f = { ssrc: 2, seq: 7000, timestamp: 1_000_000, picture: 20_000 };
    const send = (layer: typeof q, rid: string, keyframe = false) => {
      const width = rid === "q" ? 320 : 1280;
      handler("video", vp8({ ...layer, keyframe, width }), rid);
      layer.seq++;
      layer.timestamp += 3000;
      layer.picture++;
    };
    send(f, "f", true);
    send(q, "q", true);
    send(f, "f");
    send(q, "q");
    assert.deepEqual(auto.sent.map((p) => p.width), [1280, 0]);
    assert.deepEqual(pinned.sent.map((p) => p.width), [320, 0]);
    auto.choice.pin("low");
    fan.review(auto as unknown as ViewerLeg);
    assert.equal(auto.pending, "q");
    assert.ok(requests.includes("q"), "a keyframe of q asked for");
    send(q, "q"); // not a keyframe: auto stays on f
    send(f, "f");
    assert.equal(auto.sent.length, 3);
    send(q, "q", true);
    send(f, "f");
    send(q, "q");
    assert.deepEqual(auto.moves, ["f", "q"]);
    assert.equal(auto.pending, undefined);
    assert.deepEqual(auto.sent.map((p) => p.width), [1280, 0, 0, 320, 0]);
    const seqs = auto.sent.map((p) => p.seq);
    const pictures = auto.sent.map((p) => p.picture);
    assert.deepEqual(seqs.map((s) => s - seqs[0]), [0, 1, 2, 3, 4], "sequence numbers run on");
    assert.deepEqual(pictures.map((p) => p - pictures[0]), [0, 1, 2, 3, 4], "so do picture ids");
    assert.equal(pinned.sent.length, 5, "the other viewer of q is untouched");
    assert.deepEqual(pinned.sent.map((p) => p.seq - pinned.sent[0].seq), [0, 1, 2, 3, 4]);
  } finally {
    fan.stop();
  }
});

Deno.test("shedding holds every viewer a layer lower, while one can go lower, and gives it back", () => {
  const source = fakeSource(["q", "h", "f"]);
  const fan = new StreamFan("1", { videoSsrc: 5, audioSsrc: 6, cname: "c" }, () => 0);
  try {
    fan.attach(source);
    const top = new FakeViewer();
    const low = new FakeViewer();
    low.choice.pin("q");
    fan.add(top as unknown as ViewerLeg);
    fan.add(low as unknown as ViewerLeg);
    assert.equal(top.layer, "f");
    assert.ok(fan.shedLayer());
    assert.equal(top.layer, "h", "a viewer sent nothing yet moves at once");
    assert.ok(fan.shedLayer());
    assert.equal(top.layer, "q");
    assert.equal(fan.shedLayer(), false, "nobody can go lower");
    fan.restoreLayer();
    assert.equal(top.layer, "h");
    fan.restoreLayer();
    fan.restoreLayer();
    assert.deepEqual([top.layer, low.layer], ["f", "q"]);
  } finally {
    fan.stop();
  }
});
