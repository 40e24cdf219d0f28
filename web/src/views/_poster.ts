/// <reference lib="dom" />
/**
 * The stream's poster from the studio: a frame of what the page publishes,
 * as a small JPEG, put on this node (`PUT /relay/poster/{stream}`, with a
 * publish token) soon after going live and again every minute, for the
 * directory to show. The relay does not decode video: the page gives it.
 *
 * @module
 */
import type { App } from "../app.ts";

/** A poster's width in pixels (its height keeps the video's shape). */
export const POSTER_WIDTH = 320;
/** The JPEG quality of a poster: a few KB at {@link POSTER_WIDTH}. */
const QUALITY = 0.7;
/** The pause before the first poster, for the video to show a frame. */
const FIRST_MS = 1_500;
/** The pause before trying again while the video has no frame yet. */
const RETRY_MS = 1_000;
/** The pause between two posters while live. */
const EVERY_MS = 60_000;

/** `video`'s frame now as a JPEG, {@link POSTER_WIDTH} wide at most; none before its first frame. */
function frameJpeg(video: HTMLVideoElement): Promise<Blob | null> {
  if (!video.videoWidth || !video.videoHeight) return Promise.resolve(null);
  const canvas = document.createElement("canvas");
  canvas.width = Math.min(POSTER_WIDTH, video.videoWidth);
  canvas.height = Math.round(video.videoHeight * canvas.width / video.videoWidth);
  canvas.getContext("2d")!.drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
}

/**
 * Puts `jpeg` as stream `id`'s poster on this page's node.
 *
 * @throws {Error} when the node refuses it, saying why
 */
async function putPoster(app: App, id: number, jpeg: Blob): Promise<void> {
  const response = await fetch(`${location.origin}/relay/poster/${id}`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${app.relayToken(id, "publish", location.origin, 60)}`,
      "content-type": "image/jpeg",
    },
    body: jpeg,
  });
  if (!response.ok) {
    throw new Error(`the node refused the poster (${response.status}): ${await response.text()}`);
  }
}

/**
 * Puts frames of `video` as stream `id`'s poster: soon, then every minute,
 * until the function returned is called. A refused poster is logged, not
 * shown: the stream plays without one.
 */
export function postPosters(app: App, id: number, video: HTMLVideoElement): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const post = async () => {
    const jpeg = await frameJpeg(video);
    if (stopped) return;
    if (jpeg) {
      await putPoster(app, id, jpeg).catch((e) =>
        console.warn(`Stream #${id}'s poster: ${(e as Error).message}`)
      );
    }
    if (!stopped) timer = setTimeout(post, jpeg ? EVERY_MS : RETRY_MS);
  };
  timer = setTimeout(post, FIRST_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
