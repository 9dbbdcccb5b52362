/** Reading the JPEGs the bot makes (thumbnails), for assertions. */
import jpeg from 'jpeg-js';

/** Mean red, green and blue of a JPEG. */
export function meanColour(bytes: Buffer): [number, number, number] {
  const img = jpeg.decode(bytes, { useTArray: true });
  const sum = [0, 0, 0];
  for (let i = 0; i < img.data.length; i += 4) for (let c = 0; c < 3; c++) sum[c]! += img.data[i + c]!;
  const n = img.width * img.height;
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}
