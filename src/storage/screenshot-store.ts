/**
 * Failure screenshots of browser runs, kept outside D1 (a screenshot is 30-300 KB; a D1 row
 * should stay small) in an R2 bucket: SCREENSHOTS in production, miniflare's local R2 under
 * .wrangler/state in development. Keyed by run id, so a replayed run overwrites its own.
 */
import type { Screenshot } from "../probe/browser/screenshot.ts";

export interface ScreenshotStore {
  put(key: string, screenshot: Screenshot, runId: string): Promise<void>;
  get(key: string): Promise<{ body: ReadableStream; contentType: string; size: number } | null>;
}

export class R2ScreenshotStore implements ScreenshotStore {
  private readonly bucket: R2Bucket;
  constructor(bucket: R2Bucket) {
    this.bucket = bucket;
  }

  async put(key: string, screenshot: Screenshot, runId: string): Promise<void> {
    // Metadata is the run's id and the size only: nothing the page showed or the journey typed.
    await this.bucket.put(key, screenshot.bytes, {
      httpMetadata: { contentType: screenshot.contentType },
      customMetadata: { runId, width: String(screenshot.width), height: String(screenshot.height) },
    });
  }

  async get(key: string): Promise<{ body: ReadableStream; contentType: string; size: number } | null> {
    const object = await this.bucket.get(key);
    if (!object) return null;
    return {
      body: object.body,
      contentType: object.httpMetadata?.contentType ?? "application/octet-stream",
      size: object.size,
    };
  }
}
