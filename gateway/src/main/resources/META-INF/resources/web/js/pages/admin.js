// Administration: deliveries by state, queue depth and the oldest item's age, FAILED items with
// their reason and a retry button.
import { el, page, errorBox, formatDate, say } from '../ui.js';
import { getJson, request } from '../api.js';

export async function adminPage() {
  const summary = el('section', { 'aria-labelledby': 'summary-title', id: 'work-summary' },
    el('h2', { id: 'summary-title' }, 'Work queue'));
  const failed = el('section', { 'aria-labelledby': 'failed-title', id: 'failed-items' },
    el('h2', { id: 'failed-title' }, 'Failed items'));
  page('Administration', summary, failed);
  await Promise.all([showSummary(summary), showFailed(failed)]);
}

function table(headers, rows, attributes = {}) {
  // A table wider than a phone scrolls sideways; the region takes focus so keyboards can scroll it.
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': attributes['aria-label'] || headers.join(', ') },
    el('table', attributes,
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows)));
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return 'none waiting';
  if (seconds < 120) return Math.round(seconds) + ' s';
  if (seconds < 7200) return Math.round(seconds / 60) + ' min';
  return Math.round(seconds / 3600) + ' h';
}

const STATES = ['QUEUED', 'RETRYING', 'DONE', 'FAILED'];

function countsTable(counts) {
  return table(['Kind', ...STATES], Object.entries(counts || {}).map(([kind, byState]) =>
    el('tr', {}, el('th', { scope: 'row' }, kind), STATES.map(st => el('td', {}, String(byState[st] ?? 0))))),
  { id: 'work-counts' });
}

async function showSummary(area) {
  const depth = el('p', { id: 'queue-depth' }, 'Loading…');
  area.append(depth);
  try {
    const s = await getJson('/api/v1/work/summary');
    depth.replaceChildren('Queue depth: ', el('strong', {}, String(s.queueDepth)),
      ' · failed: ', el('strong', {}, String(s.failed)),
      ' · oldest waiting item: ', el('strong', {}, age(s.oldestQueuedAgeSeconds)));
    const d = s.deliveries || {};
    depth.after(el('h3', {}, 'PACS deliveries by state'), table(STATES, [el('tr', {}, STATES.map(st => el('td', {}, String(d[st] ?? 0))))],
      { id: 'delivery-states' }), el('h3', {}, 'All work by kind and state'));
  } catch (error) {
    depth.replaceChildren(errorBox(error));
  }
}

async function showFailed(area) {
  const body = el('div', {});
  area.append(body);
  try {
    const work = await getJson('/api/v1/work?status=FAILED&limit=100');
    document.getElementById('work-summary').append(countsTable(work.counts));
    if (!work.items.length) {
      body.replaceChildren(el('p', {}, 'Nothing has failed.'));
      return;
    }
    body.replaceChildren(table(['Kind', 'Item', 'Attempts', 'Changed', 'Reason', ''], work.items.map(item => {
      const retry = el('button', { type: 'button', class: 'secondary', 'aria-label': 'Retry ' + item.kind + ' ' + item.id }, 'Retry');
      const row = el('tr', { dataset: { itemId: item.id } }, el('td', {}, item.kind),
        el('td', {}, item.resourceType ? item.resourceType + '/' + item.resourceId : item.photoId || item.id),
        el('td', {}, String(item.attempts)), el('td', {}, formatDate(item.updatedAt)),
        el('td', {}, item.lastError || ''), el('td', {}, retry));
      retry.addEventListener('click', async () => {
        retry.disabled = true;
        try {
          await request('POST', '/api/v1/work/' + encodeURIComponent(item.id) + '/retry');
          row.cells[5].replaceChildren(el('span', { class: 'ok' }, 'Queued again'));
          say('Item queued again');
        } catch (error) {
          row.cells[5].replaceChildren(errorBox(error));
        }
      });
      return row;
    }), { id: 'failed-table' }));
  } catch (error) {
    body.replaceChildren(errorBox(error));
  }
}
