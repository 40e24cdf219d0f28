import assert from "node:assert/strict";
import { parseRequest, RequestError } from "./protocol.ts";

Deno.test("parseRequest() reads a pull, its accept and trickled candidates", () => {
  assert.deepEqual(parseRequest('{"id":1,"op":"pull","session":"s","stream":"7"}'), {
    id: 1,
    op: "pull",
    session: "s",
    stream: "7",
  });
  assert.equal(parseRequest('{"id":2,"op":"accept","session":"s","answer":"v=0"}').op, "accept");
  const candidates = [{ candidate: "candidate:1 1 UDP 1 127.0.0.1 9 typ host", mid: "0" }];
  const request = parseRequest(
    JSON.stringify({ id: 3, op: "candidates", session: "s", candidates }),
  );
  assert.deepEqual(request.op === "candidates" && request.candidates, candidates);
});

Deno.test("parseRequest() refuses a pull or candidates it cannot read, with the request's id", () => {
  const refused = (line: string, message: RegExp) =>
    assert.throws(
      () => parseRequest(line),
      (e: RequestError) => e.id === 4 && message.test(e.message),
    );
  refused('{"id":4,"op":"pull","session":"s"}', /no stream/);
  refused('{"id":4,"op":"accept","session":"s"}', /no answer/);
  refused('{"id":4,"op":"candidates","session":"s"}', /bad candidates/);
  refused('{"id":4,"op":"candidates","session":"s","candidates":[{"mid":"0"}]}', /bad candidates/);
  refused(
    '{"id":4,"op":"candidates","session":"s","candidates":[{"candidate":"c","mid":0}]}',
    /bad candidates/,
  );
});

Deno.test("parseRequest() reads a watch's layer and the layer op, and refuses a bad layer", () => {
  const watch = parseRequest(
    '{"id":1,"op":"watch","session":"s","stream":"7","offer":"v=0","layer":"f"}',
  );
  assert.equal(watch.op === "watch" && watch.layer, "f");
  assert.deepEqual(parseRequest('{"id":2,"op":"layer","session":"s","layer":"auto"}'), {
    id: 2,
    op: "layer",
    session: "s",
    layer: "auto",
  });
  const refused = (line: string, message: RegExp) =>
    assert.throws(
      () => parseRequest(line),
      (e: RequestError) => e.id === 3 && message.test(e.message),
    );
  refused('{"id":3,"op":"layer","session":"s"}', /no layer/);
  refused('{"id":3,"op":"layer","session":"s","layer":"a b"}', /bad layer/);
  refused('{"id":3,"op":"watch","session":"s","stream":"7","offer":"v=0","layer":7}', /bad layer/);
});
