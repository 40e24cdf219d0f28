import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { layerRequest, MessageError } from "./pay_messages.ts";

Deno.test("a layer request names its layer; payments are not layer requests", () => {
  assertEquals(layerRequest('{"type":"layer","layer":"q"}'), "q");
  assertEquals(layerRequest('{"type":"layer","layer":"auto"}'), "auto");
  assertEquals(
    layerRequest('{"type":"voucher","channel":"0x1","amount":"5","signature":"0x00"}'),
    undefined,
  );
  // A payment that happens to carry the word is still a payment.
  assertEquals(layerRequest('{"type":"receipt","layer":"x"}'), undefined);
  assertEquals(layerRequest('not json "layer"'), undefined);
});

Deno.test("attack: a layer request without a layer name is refused", () => {
  for (
    const bad of [
      '{"type":"layer"}',
      '{"type":"layer","layer":""}',
      '{"type":"layer","layer":"a b"}',
      `{"type":"layer","layer":"${"x".repeat(33)}"}`,
      '{"type":"layer","layer":7}',
    ]
  ) {
    throws(() => layerRequest(bad), MessageError, bad);
  }
});
