// Vietnamese messages of evidence integrity: a case whose evidence no longer matches the hash recorded at capture.
// Spread into `vi` (vi.ts); en-integrity.ts has the same keys.
export const viIntegrity = {
  'integrity.badge': 'Chứng cứ bị thay đổi',
  'integrity.badgeTitle': 'Lần kiểm tra gần nhất thấy một tệp chứng cứ không khớp mã băm đã ghi nhận khi thu thập',
  'integrity.title': 'Chứng cứ không khớp mã băm đã ghi nhận khi thu thập',
  'integrity.tampered': '{file} (tệp {name}): mã băm ghi nhận {expected}…, tệp đang lưu có mã băm {found}…',
  'integrity.missing': '{file} (tệp {name}): mã băm ghi nhận {expected}…, tệp không còn trong kho lưu trữ',
  'integrity.blocked': 'Hồ sơ bị khoá: không thể xác nhận, phê duyệt, xem trước hay phát hành thông báo khi chứng cứ không nguyên vẹn.',
  'integrity.todo':
    'Việc cần làm: không dựa vào hình ảnh đang hiển thị; báo ngay cho quản trị viên hệ thống để khôi phục tệp gốc từ bản sao lưu và điều tra. Mỗi lần phát hiện đã được ghi vào nhật ký kiểm toán.',
};
