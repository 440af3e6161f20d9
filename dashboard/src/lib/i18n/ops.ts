// Strings of the operations records page frame (Điều 10–15): its title and tabs. Vietnamese first.
export const vi = {
  nav_ops: 'Vận hành',
  ops_title: 'Hồ sơ vận hành',
  ops_subtitle: 'Cán bộ kỹ thuật, lịch trực, bảo trì, thiết bị và ý kiến phản ánh (Điều 10–15 Quy chế)',
  ops_tab_people: 'Cán bộ kỹ thuật',
  ops_tab_roster: 'Lịch trực',
  ops_tab_maintenance: 'Bảo trì',
  ops_tab_assets: 'Thiết bị',
  ops_tab_feedback: 'Phản ánh, kiến nghị',
  ops_tabs_label: 'Các mục hồ sơ vận hành',
};

export const en: Record<keyof typeof vi, string> = {
  nav_ops: 'Operations',
  ops_title: 'Operations records',
  ops_subtitle: 'Technicians, duty roster, maintenance, equipment and feedback (Art. 10–15)',
  ops_tab_people: 'Technicians',
  ops_tab_roster: 'Duty roster',
  ops_tab_maintenance: 'Maintenance',
  ops_tab_assets: 'Equipment',
  ops_tab_feedback: 'Feedback',
  ops_tabs_label: 'Operations records sections',
};
