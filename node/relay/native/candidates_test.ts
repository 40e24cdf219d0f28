import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { reachable, withReachableCandidates } from "./candidates.ts";

const v4 = "candidate:1 1 UDP 2122260223 127.0.0.1 50000 typ host";
const v6 = "candidate:2 1 UDP 2122262783 ::1 50001 typ host";
const mdns = "candidate:3 1 UDP 2122194687 6f1c1e5b-7b1e.local 50002 typ host";

Deno.test("an IPv4-bound worker leaves a peer's IPv6 candidates out; others keep them all", () => {
  assertEquals([v4, v6, mdns].map((c) => reachable(c, "127.0.0.1")), [true, false, true]);
  assertEquals([v4, v6, mdns].map((c) => reachable(c, undefined)), [true, true, true]);
  assertEquals(reachable(v6, "::1"), true);
  const sdp = ["v=0", "m=video 9 UDP/TLS/RTP/SAVPF 96", `a=${v4}`, `a=${v6}`, "a=mid:0", ""]
    .join("\r\n");
  assertEquals(
    withReachableCandidates(sdp, "127.0.0.1"),
    ["v=0", "m=video 9 UDP/TLS/RTP/SAVPF 96", `a=${v4}`, "a=mid:0", ""].join("\r\n"),
  );
  assertEquals(withReachableCandidates(sdp, undefined), sdp);
});
