import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { parseSdpFragment } from "./http.ts";
import { RelayError } from "./relay.ts";

Deno.test("a trickle-ice-sdpfrag gives its ufrag and candidates with their mid", () => {
  const fragment = [
    "a=ice-ufrag:EsAw",
    "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1",
    "m=audio 9 RTP/AVP 0",
    "a=mid:0",
    "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0",
    "a=end-of-candidates",
  ].join("\r\n");
  assertEquals(parseSdpFragment(fragment), {
    ufrag: "EsAw",
    candidates: [{
      candidate: "candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0",
      sdpMid: "0",
    }],
  });
});

Deno.test("a body that is not an SDP fragment is a 400", () => {
  throws(
    () => parseSdpFragment("hello\r\nworld"),
    (e: Error) => e instanceof RelayError && e.status === 400,
  );
});
