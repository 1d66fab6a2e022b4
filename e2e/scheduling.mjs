// The scheduling part of the drive (issue #9): the appointments dashboard of the original
// frontend as the demo clinician: availability set from its form, the list and its filters, the
// detail modal (confirm, move), and a cancel from the list. Called from journey.mjs.

/** YYYY-MM-DD `days` from today (UTC). */
function dayFromNow(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

/** The next date at least `days` away that falls on a Saturday (no recurring demo hours). */
function saturdayFrom(days) {
  for (let d = days; d < days + 7; d += 1) {
    if (new Date(`${dayFromNow(d)}T12:00:00Z`).getUTCDay() === 6) return dayFromNow(d);
  }
  return dayFromNow(days);
}

export async function schedulingJourney({ browser, step, apiCall, api, FRONTEND, API, PASSWORD, tag, apiErrors }) {
  const CLINICIAN = 'clinician1@demo.genascope.test';
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api') && r.status() >= 500) apiErrors.push(`${r.request().method()} ${u.pathname} ${r.status()}`);
  });
  const token = (await (await fetch(`${API}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: CLINICIAN, password: PASSWORD, grant_type: 'password' }),
  })).json()).access_token;
  const me = await api('GET', '/api/auth/me', token);
  const day = saturdayFrom(14);
  const nextDay = saturdayFrom(21);

  await step(page, 'clinician sets availability from the dashboard', async () => {
    await page.goto(`${FRONTEND}/login`);
    await page.getByPlaceholder('Enter your email').fill(CLINICIAN);
    await page.getByPlaceholder('Enter your password').fill(PASSWORD);
    await apiCall(page, (u) => u.pathname === '/api/auth/me', () => page.locator('button[type=submit]').click());
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15000 });
    await apiCall(page, (u) => u.pathname.startsWith(`/api/appointments/clinician/${me.id}`),
      () => page.goto(`${FRONTEND}/appointments-dashboard`));
    await page.getByRole('tab', { name: 'Set Availability' }).click();
    await page.locator('input#date').fill(day);
    for (const t of ['09:00', '09:30']) await page.getByRole('button', { name: t, exact: true }).click();
    const set = await apiCall(page, (u, m) => m === 'POST' && u.pathname === '/api/availability/set',
      () => page.getByRole('button', { name: 'Save Availability' }).click());
    if (JSON.stringify(set?.dates_affected) !== JSON.stringify([day])) throw new Error(`dates_affected ${JSON.stringify(set?.dates_affected)}`);
    await page.getByText('Availability successfully updated!').waitFor({ timeout: 10000 });
    const slots = await api('GET', `/api/availability?clinician_id=${me.id}&date=${day}`, token);
    const times = slots.time_slots.map((s) => s.time).join(',');
    if (times !== '09:00,09:30') throw new Error(`availability ${times}`);
    // The next Saturday through the API: somewhere to move to.
    await api('POST', `/api/availability/set?clinician_id=${me.id}`, token, { clinician_id: me.id, date: nextDay, time_slots: ['10:00'] });
  });

  // Two appointments of a fresh patient on the day just opened.
  const patient = await api('POST', '/api/patients', token, {
    first_name: 'Sched', last_name: `Ule${tag}`, email: `sched.${tag.toLowerCase()}@example.org`,
  });
  const first = await api('POST', '/api/book_appointment', token, { clinician_id: me.id, patient_id: patient.id, date: day, time: '09:00' });
  const second = await api('POST', '/api/book_appointment', token, { clinician_id: me.id, patient_id: patient.id, date: day, time: '09:30', appointment_type: 'in_person' });

  await step(page, 'the appointments dashboard lists them and filters by status', async () => {
    const list = await apiCall(page, (u) => u.pathname.startsWith(`/api/appointments/clinician/${me.id}`),
      () => page.goto(`${FRONTEND}/appointments-dashboard`));
    const ids = (list?.appointments ?? []).map((a) => a.id);
    if (!ids.includes(first.id) || !ids.includes(second.id)) throw new Error(`list lacks the new appointments (${ids.length} listed)`);
    await page.getByRole('tab', { name: 'All Appointments' }).click();
    await page.locator('li', { hasText: `Ule${tag}` }).first().waitFor({ timeout: 10000 });
    const ours = page.locator('li', { hasText: `Ule${tag}` });
    if (await ours.count() !== 2) throw new Error(`${await ours.count()} rows for the patient`);
    await page.locator('select#statusFilter').selectOption('confirmed');
    if (await ours.count() !== 0) throw new Error('the confirmed filter still shows scheduled appointments');
    await page.locator('select#statusFilter').selectOption('scheduled');
    if (await ours.count() !== 2) throw new Error('the scheduled filter hides them');
    await page.getByPlaceholder('Search by patient name, clinician name, or confirmation code...').fill(second.confirmation_code);
    if (await ours.count() !== 1) throw new Error('the confirmation code search does not single it out');
    await page.getByPlaceholder('Search by patient name, clinician name, or confirmation code...').fill('');
    await page.locator('select#statusFilter').selectOption('all');
  });

  const openDetail = async () => {
    const row = page.locator('li', { hasText: `Ule${tag}` }).filter({ hasText: 'Virtual' }).first();
    const detail = await apiCall(page, (u, m) => m === 'GET' && u.pathname === `/api/appointments/${first.id}`,
      () => row.locator('p', { hasText: 'Appointment with' }).click());
    await page.locator('.ant-modal', { hasText: 'Appointment Details' }).waitFor({ timeout: 10000 });
    return detail;
  };
  const modal = page.locator('.ant-modal', { hasText: 'Appointment Details' });
  const chooseStatus = async (label) => {
    await modal.locator('.ant-form-item', { hasText: 'Status' }).locator('.ant-select').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: label }).first().click();
  };

  await step(page, 'the detail modal shows it and confirms it', async () => {
    const detail = await openDetail();
    if (detail?.confirmation_code !== first.confirmation_code) throw new Error('detail of another appointment');
    await modal.getByRole('button', { name: 'Edit' }).click();
    await chooseStatus('Confirmed');
    const saved = await apiCall(page, (u, m) => m === 'PUT' && u.pathname === `/api/appointments/${first.id}`,
      () => modal.getByRole('button', { name: 'Save Changes' }).click());
    if (saved?.status !== 'confirmed') throw new Error(`status ${saved?.status}`);
    await modal.getByText('Confirmed').first().waitFor({ timeout: 10000 });
    await modal.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
  });

  await step(page, 'the detail modal reschedules it to another day', async () => {
    await openDetail();
    await modal.getByRole('button', { name: 'Edit' }).click();
    const dateInput = modal.locator('.ant-form-item', { hasText: 'Date' }).locator('input').first();
    await dateInput.click();
    await dateInput.fill(nextDay);
    await dateInput.press('Enter');
    const timeInput = modal.locator('.ant-form-item', { hasText: 'Time' }).locator('input').first();
    await timeInput.click();
    await timeInput.fill('10:00');
    await timeInput.press('Enter');
    const saved = await apiCall(page, (u, m) => m === 'PUT' && u.pathname === `/api/appointments/${first.id}`,
      () => modal.getByRole('button', { name: 'Save Changes' }).click());
    if (saved?.status !== 'rescheduled' || saved?.date !== nextDay || saved?.time !== '10:00') {
      throw new Error(`after the move: ${saved?.status} ${saved?.date} ${saved?.time}`);
    }
    if (saved.confirmation_code !== first.confirmation_code || saved.id !== first.id) throw new Error('the move changed the id or code');
    await modal.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
  });

  await step(page, 'the list cancels the other appointment', async () => {
    await apiCall(page, (u) => u.pathname.startsWith(`/api/appointments/clinician/${me.id}`),
      () => page.goto(`${FRONTEND}/appointments-dashboard`));
    await page.getByRole('tab', { name: 'All Appointments' }).click();
    const row = page.locator('li', { hasText: `Ule${tag}` }).filter({ hasText: 'In-Person' }).first();
    await row.waitFor({ timeout: 10000 });
    const canceled = await apiCall(page, (u, m) => m === 'PUT' && u.pathname === `/api/appointments/${second.id}`,
      () => row.getByRole('button', { name: 'Cancel' }).click());
    if (canceled?.status !== 'canceled') throw new Error(`status ${canceled?.status}`);
    const stored = await api('GET', `/api/appointments/${second.id}`, token);
    if (stored.status !== 'canceled') throw new Error(`stored status ${stored.status}`);
  });
  return page;
}
