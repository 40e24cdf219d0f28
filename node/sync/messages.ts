/**
 * The wire forms of block sync and block gossip: a request for blocks from
 * a number or a hash, up or down the chain (as Substrate's block requests),
 * and blocks with their bodies and (for finalized ones) justifications.
 *
 * @module
 */
import { decode, encode, t, type ValueOf } from "../../runtime/codec/types.ts";
import { headerType } from "../../runtime/block/header.ts";

/**
 * At most `max` blocks starting at `from`: ascending from a number along the
 * responder's best chain, or descending from a block (by hash or number)
 * through its ancestors (how a fork block and its parents are fetched).
 */
export const blockRequestType = t.struct("BlockRequest", {
  from: t.enum("BlockId", { Hash: t.hash, Number: t.u32 }),
  direction: t.enum("Direction", { Ascending: null, Descending: null }),
  max: t.u32,
});

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
