/**
 * The wire forms of block sync and block gossip: a request for a range of
 * the best chain by number, and blocks with their bodies and (for finalized
 * ones) justifications.
 *
 * @module
 */
import { decode, encode, t, type ValueOf } from "../../runtime/codec/types.ts";
import { headerType } from "../../runtime/block/header.ts";

/** Blocks `from`, `from + 1`, … of the responder's best chain, at most `count`. */
export const blockRequestType = t.struct("BlockRequest", { from: t.u32, count: t.u32 });

/** A block as sync and gossip carry it. */
export const blockDataType = t.struct("BlockData", {
  header: headerType,
  extrinsics: t.vec(t.bytes),
  justification: t.option(t.bytes),
});

/** The blocks of a response, in ascending order. */
export const blockResponseType = t.vec(blockDataType);

/** A block request. */
export type BlockRequest = ValueOf<typeof blockRequestType>;

/** A block with its body and maybe its justification. */
export type BlockData = ValueOf<typeof blockDataType>;

/** SCALE of a request. */
export const encodeBlockRequest = (r: BlockRequest) => encode(blockRequestType, r);
/** Decodes a request; throws `DecodeError` on garbage. */
export const decodeBlockRequest = (b: Uint8Array) => decode(blockRequestType, b, "block request");
/** SCALE of a response. */
export const encodeBlockResponse = (r: BlockData[]) => encode(blockResponseType, r);
/** Decodes a response; throws `DecodeError` on garbage. */
export const decodeBlockResponse = (b: Uint8Array) =>
  decode(blockResponseType, b, "block response");
/** SCALE of a gossiped block. */
export const encodeBlockData = (b: BlockData) => encode(blockDataType, b);
/** Decodes a gossiped block; throws `DecodeError` on garbage. */
export const decodeBlockData = (b: Uint8Array) => decode(blockDataType, b, "block");
