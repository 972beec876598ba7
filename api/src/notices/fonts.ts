// The fonts of notice PDFs (full Vietnamese glyphs): DejaVu by default, NOTICE_FONT* to use others (api/src/settings.ts
// checks at start-up that each names a readable file).
import PDFDocument from 'pdfkit';

export interface NoticeFonts {
  body: string;
  bold: string;
  italic: string;
  mono: string;
}

export const DEFAULT_NOTICE_FONTS: NoticeFonts = {
  body: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  italic: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf',
  mono: '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
};

/**
 * A new PDF document with the fonts registered as `body`, `bold`, `italic` and `mono`, and the finished file as a
 * promise (resolved when the caller ends the document).
 */
export function openPdf(options: PDFKit.PDFDocumentOptions, fonts: NoticeFonts): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const doc = new PDFDocument(options);
  doc.registerFont('body', fonts.body);
  doc.registerFont('bold', fonts.bold);
  doc.registerFont('italic', fonts.italic);
  doc.registerFont('mono', fonts.mono);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}
