// The violation notice as a PDF in Vietnamese (pdfkit, embedded DejaVu Sans for full Unicode).
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { formatVnd } from '../services/fines';

const FONT = process.env.NOTICE_FONT ?? '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const FONT_BOLD = process.env.NOTICE_FONT_BOLD ?? '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

export interface NoticeData {
  number: string;
  issuedAt: Date;
  resolveBy: Date;
  vehicleType: string;
  plate: string;
  plateColour: string | null;
  occurredAt: Date;
  place: string;
  offence: string;
  article: string;
  legalBasis: string;
  fineMin: number;
  fineMax: number;
  points: number;
  detectingUnit: string;
  resolvingUnit: string;
  resolvingAddress: string;
  resolvingPhone: string;
  ownerName: string;
  ownerAddress: string;
  lookupUrl: string;
  evidenceSha256: string[];
}

const VEHICLE_VI: Record<string, string> = { car: 'Ô tô', motorbike: 'Mô tô, xe gắn máy', bus: 'Ô tô khách', truck: 'Ô tô tải', bicycle: 'Xe đạp', unknown: 'Không xác định' };
const COLOUR_VI: Record<string, string> = { white: 'Nền trắng, chữ đen', yellow: 'Nền vàng, chữ đen', blue: 'Nền xanh, chữ trắng', red: 'Nền đỏ, chữ trắng' };

/** dd/MM/yyyy HH:mm:ss in Vietnam time (UTC+7, no daylight saving). */
export function formatVnTime(d: Date): string {
  const t = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => n.toString().padStart(2, '0');
  return `${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} ngày ${p(t.getUTCDate())}/${p(t.getUTCMonth() + 1)}/${t.getUTCFullYear()}`;
}
export function formatVnDate(d: Date): string {
  const t = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => n.toString().padStart(2, '0');
  return `${p(t.getUTCDate())}/${p(t.getUTCMonth() + 1)}/${t.getUTCFullYear()}`;
}
export function vehicleTypeVi(t: string): string {
  return VEHICLE_VI[t] ?? t;
}

export async function renderNoticePdf(n: NoticeData, evidenceImage: Buffer | null): Promise<Buffer> {
  const qr = await QRCode.toBuffer(n.lookupUrl, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  // pdfkit embeds JPEG and PNG; normalise whatever the camera stored and bound its size.
  const image = evidenceImage ? await sharp(evidenceImage).resize({ width: 1280, withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer() : null;
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Thông báo vi phạm ${n.number}`, Author: n.detectingUnit } });
  doc.registerFont('body', FONT);
  doc.registerFont('bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('bold').fontSize(11).text(n.detectingUnit.toUpperCase(), { align: 'left' });
  doc.font('body').fontSize(10).text(`Số: ${n.number}`);
  doc.moveDown(0.5);
  doc.font('bold').fontSize(11).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { align: 'center' });
  doc.font('body').fontSize(10).text('Độc lập - Tự do - Hạnh phúc', { align: 'center' });
  doc.moveDown();
  doc.font('bold').fontSize(15).text('THÔNG BÁO', { align: 'center' });
  doc.fontSize(12).text('Về việc vi phạm hành chính trong lĩnh vực trật tự, an toàn giao thông đường bộ', { align: 'center' });
  doc.font('body').fontSize(10).text('phát hiện qua hệ thống giám sát bằng hình ảnh', { align: 'center' });
  doc.moveDown();
  doc.fontSize(11);
  const line = (label: string, value: string) => {
    doc.font('bold').text(`${label}: `, { continued: true });
    doc.font('body').text(value);
  };
  line('Kính gửi', `${n.ownerName}, ${n.ownerAddress}`);
  doc.moveDown(0.5);
  line('Loại phương tiện', vehicleTypeVi(n.vehicleType));
  line('Biển kiểm soát', n.plate);
  line('Màu biển', n.plateColour ? (COLOUR_VI[n.plateColour] ?? n.plateColour) : 'Không xác định');
  line('Thời gian vi phạm', formatVnTime(n.occurredAt));
  line('Địa điểm vi phạm', n.place);
  line('Hành vi vi phạm', n.offence);
  line('Căn cứ', `${n.article} ${n.legalBasis}`);
  line('Mức phạt tiền', `từ ${formatVnd(n.fineMin)} đến ${formatVnd(n.fineMax)}`);
  line('Trừ điểm giấy phép lái xe', n.points > 0 ? `${n.points} điểm` : 'Không');
  line('Đơn vị phát hiện', n.detectingUnit);
  doc.moveDown(0.5);
  doc.font('body').text(
    `Đề nghị chủ phương tiện (hoặc người điều khiển phương tiện) đến ${n.resolvingUnit}, địa chỉ ${n.resolvingAddress}, ` +
      `điện thoại ${n.resolvingPhone}, trước ngày ${formatVnDate(n.resolveBy)} để giải quyết vụ việc. ` +
      'Quá thời hạn trên mà không đến giải quyết, cơ quan Công an sẽ thông báo cho cơ quan đăng kiểm và cơ quan đăng ký xe theo quy định.',
    { align: 'justify' },
  );
  doc.moveDown(0.5);
  const top = doc.y;
  if (image) {
    doc.image(image, 50, top, { fit: [330, 220] });
    doc.fontSize(8).text('Hình ảnh vi phạm', 50, top + 224);
  } else {
    doc.fontSize(9).text('(Không có hình ảnh đính kèm)', 50, top);
  }
  doc.image(qr, 400, top, { width: 140 });
  doc.fontSize(8).text('Quét mã để tra cứu vi phạm và xem hình ảnh', 400, top + 144, { width: 145 });
  doc.y = top + 250;
  doc.x = 50;
  doc.fontSize(8).font('body').text(`Tra cứu: ${n.lookupUrl}`);
  doc.text(`Mã băm SHA-256 của chứng cứ: ${n.evidenceSha256.map((h) => h.slice(0, 16)).join(', ') || 'không có'}`);
  doc.text(`Ngày lập: ${formatVnTime(n.issuedAt)}`);
  doc.end();
  return done;
}
