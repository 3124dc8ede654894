import sharp from "sharp";
import type { ThumbnailMethod } from "../storage/stores/media-store.js";
import { baseContentType } from "./content-headers.js";

/** The source types thumbnails are made of (as Synapse): never SVG, which is a document, not a picture. */
const THUMBNAILABLE = new Set(["image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp", "image/apng"]);
const ANIMATABLE = new Set(["image/gif", "image/webp"]);

export const isThumbnailable = (contentType: string) => THUMBNAILABLE.has(baseContentType(contentType));

/** The spec's recommended sizes ("Thumbnails"), made when an image is uploaded. */
export const RECOMMENDED_SIZES: ReadonlyArray<{ width: number; height: number; method: ThumbnailMethod }> = [
  { width: 32, height: 32, method: "crop" },
  { width: 96, height: 96, method: "crop" },
  { width: 320, height: 240, method: "scale" },
  { width: 640, height: 480, method: "scale" },
  { width: 800, height: 600, method: "scale" },
];

export interface ImageInfo {
  width: number;
  height: number;
  /** More than one frame (an animated GIF or WebP). */
  animated: boolean;
}

export interface Thumbnail {
  bytes: Buffer;
  contentType: string;
  width: number;
  height: number;
  animated: boolean;
}

/** The image could not be read as one (corrupt, or not what its type says). */
export class NotAnImageError extends Error {
  override name = "NotAnImageError";
}

/**
 * The size a thumbnail of a `source`-sized image gets for a request, never larger than the image (the spec:
 * servers must never upscale). scale: fits inside the box, keeping the aspect ratio. crop: the box's aspect
 * ratio, the box itself when the image is at least that large, else the largest such box inside the image.
 */
export function thumbnailSize(source: { width: number; height: number }, request: { width: number; height: number; method: ThumbnailMethod }): { width: number; height: number } {
  if (request.method === "scale") {
    const factor = Math.min(request.width / source.width, request.height / source.height, 1);
    return { width: Math.max(1, Math.round(source.width * factor)), height: Math.max(1, Math.round(source.height * factor)) };
  }
  const factor = Math.min(source.width / request.width, source.height / request.height, 1);
  return { width: Math.max(1, Math.round(request.width * factor)), height: Math.max(1, Math.round(request.height * factor)) };
}

/** Thumbnails with sharp (libvips). Each call limits the pixels it decodes, so a small file cannot unpack into gigabytes. */
export class Thumbnailer {
  constructor(private readonly maxSourcePixels: number) {}

  async info(bytes: Buffer): Promise<ImageInfo> {
    try {
      const meta = await sharp(bytes, { animated: true, limitInputPixels: false }).metadata();
      const pages = meta.pages ?? 1;
      const height = meta.pageHeight ?? (meta.height ?? 0) / pages;
      if (!meta.width || !height) throw new NotAnImageError("no dimensions");
      return { width: meta.width, height, animated: pages > 1 };
    } catch (error) {
      if (error instanceof NotAnImageError) throw error;
      throw new NotAnImageError((error as Error).message);
    }
  }

  /** Whether an image of this size may be decoded at all (media.max_thumbnail_source_pixels). */
  mayDecode(info: ImageInfo): boolean {
    return info.width * info.height <= this.maxSourcePixels;
  }

  /**
   * A thumbnail of `size` (from thumbnailSize). Animated only when asked and the source is an animated GIF or
   * WebP, in the source's own format; otherwise the first frame, as PNG (transparency kept) or JPEG for JPEGs.
   */
  async make(bytes: Buffer, sourceType: string, info: ImageInfo, size: { width: number; height: number }, method: ThumbnailMethod, animated: boolean): Promise<Thumbnail> {
    const type = baseContentType(sourceType);
    const keepAnimation = animated && info.animated && ANIMATABLE.has(type);
    try {
      const decoded = sharp(bytes, { animated: keepAnimation, limitInputPixels: this.maxSourcePixels });
      // EXIF orientation applies to still photos; animated frames carry none.
      const image = (keepAnimation ? decoded : decoded.rotate()).resize(size.width, size.height, { fit: method === "crop" ? "cover" : "inside", withoutEnlargement: true });
      if (keepAnimation) {
        const out = type === "image/gif" ? image.gif() : image.webp();
        const { data, info: outInfo } = await out.toBuffer({ resolveWithObject: true });
        return { bytes: data, contentType: type, width: outInfo.width, height: outInfo.pageHeight ?? outInfo.height, animated: true };
      }
      const asJpeg = type === "image/jpeg" || type === "image/jpg";
      const { data, info: outInfo } = await (asJpeg ? image.jpeg({ quality: 80 }) : image.png()).toBuffer({ resolveWithObject: true });
      return { bytes: data, contentType: asJpeg ? "image/jpeg" : "image/png", width: outInfo.width, height: outInfo.height, animated: false };
    } catch (error) {
      throw new NotAnImageError((error as Error).message);
    }
  }
}
