// Vietnamese messages of the geometry editor's lamp tool (what the detector's lamp reader sees per lamp region).
// Spread into `vi` (vi.ts); en-lamps.ts has the same keys.
export const viLamps = {
  'lamps.title': 'Bộ đọc đèn nhìn thấy',
  'lamps.none': 'Chưa có số đọc của bộ phát hiện cho đèn này.',
  'lamps.levels': 'Độ sáng đã học: khi tắt {unlit}, khi sáng {lit}',
  'lamps.notLearned': 'chưa học',
  'lamps.threshold': 'Ngưỡng coi là sáng: {threshold}',
  'lamps.litCount': 'Sáng trong {lit}/{n} khung hình gần nhất',
  'lamps.last': 'Khung cuối: độ sáng {brightness}, đúng màu đèn {hue}%, {state}',
  'lamps.lit': 'đang sáng',
  'lamps.unlit': 'đang tắt',
  'lamps.chart': 'Độ sáng của đèn {lamp} trong {n} khung hình gần nhất so với ngưỡng',
  'lamps.verdictOk': 'Khi sáng và khi tắt khác nhau rõ ({contrast}): vùng nằm trên đèn.',
  'lamps.verdictWeak': 'Khi sáng và khi tắt chỉ chênh {contrast}: kiểm tra xem vùng có nằm đúng trên đèn không.',
  'lamps.verdictNeverLit': 'Chưa thấy đèn này sáng: nếu đèn đã sáng trong lúc đó, vùng có thể lệch khỏi đèn.',
  'lamps.updatedAt': 'Số đọc của bộ phát hiện lúc {time}',
  'lamps.noDetector': 'Bộ phát hiện chưa chạy trên camera này nên chưa có số đọc đèn.',
  'lamps.loadFailed': 'Không tải được số đọc đèn.',
};
