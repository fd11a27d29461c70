// Compliance: the audit trail's verification status, a patient's consents with every version,
// the patient's audit trail, and break-the-glass grants.
import { el, page, errorBox, formatDate, identifierParam } from '../ui.js';
import { getJson } from '../api.js';
import { patientForm } from './patient.js';

export async function compliancePage(settings) {
  const verification = el('section', { 'aria-labelledby': 'verification-title', id: 'verification' },
    el('h2', { id: 'verification-title' }, 'Audit trail verification'), el('p', {}, 'Loading…'));
  const grants = el('section', { 'aria-labelledby': 'grants-title', id: 'grants' },
    el('h2', { id: 'grants-title' }, 'Break-the-glass grants'), el('p', {}, 'Loading…'));
  const patientArea = el('section', { 'aria-label': 'Patient records' });
  const { form } = patientForm(settings, { buttonText: 'Show consents and audit trail', lookup: false,
    onFound: found => showPatient(found, patientArea) });
  page('Compliance', verification, form, patientArea, grants);
  getJson('/api/v1/audit/verification').then(v => {
    verification.replaceChildren(verification.firstChild,
      el('p', { class: v.intact ? 'ok' : 'error', id: 'verification-state' },
        v.intact ? 'Intact: ' + v.entries + ' entries verified' : 'BROKEN at entry ' + v.firstBrokenSequence + ': ' + (v.reason || '')),
      el('p', { class: 'hint' }, 'Checked ' + formatDate(v.checkedAt)));
  }).catch(error => verification.replaceChildren(verification.firstChild, errorBox(error)));
  getJson('/api/v1/break-glass').then(answer => {
    const list = Array.isArray(answer) ? answer : answer.grants || answer.items || [];
    grants.replaceChildren(grants.firstChild, list.length ? table(
      ['Granted', 'Until', 'User', 'Photo', 'Reason'],
      list.map(g => [formatDate(g.grantedAt || g.createdAt), formatDate(g.expiresAt || g.until),
        g.user || g.username || g.grantedTo || '', g.photoId || g.photo || '', g.reason || ''])) : el('p', {}, 'No grants.'));
  }).catch(error => grants.replaceChildren(grants.firstChild, errorBox(error)));
}

function table(headers, rows, attributes = {}) {
  // A table wider than a phone scrolls sideways; the region takes focus so keyboards can scroll it.
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': attributes['aria-label'] || headers.join(', ') },
    el('table', attributes,
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map(r => el('tr', {}, r.map(cell => el('td', {}, cell)))))));
}

function purposes(provision, out = []) {
  if (!provision) return out;
  for (const p of provision.purpose || []) out.push((provision.type === 'deny' ? 'no ' : '') + p.code);
  for (const nested of provision.provision || []) purposes(nested, out);
  return out;
}

async function showPatient(found, area) {
  const ident = identifierParam(found.system, found.value);
  area.replaceChildren(el('p', {}, 'Loading…'));
  try {
    const [consents, audit] = await Promise.all([
      getJson('/fhir/Consent?patient:identifier=' + ident + '&_count=100', { accept: 'application/fhir+json' }),
      getJson('/fhir/AuditEvent?patient:identifier=' + ident + '&_count=100', { accept: 'application/fhir+json' })]);
    const consentRows = [];
    for (const entry of consents.entry || []) {
      const c = entry.resource;
      const history = await getJson('/fhir/Consent/' + encodeURIComponent(c.id) + '/_history', { accept: 'application/fhir+json' });
      for (const version of history.entry || []) {
        const v = version.resource;
        consentRows.push(['Consent/' + c.id, v.meta && v.meta.versionId, v.status, formatDate(v.meta && v.meta.lastUpdated),
          purposes(v.provision).join(', '), v.sourceAttachment ? 'signed form' : '']);
      }
    }
    const auditRows = (audit.entry || []).map(e => {
      const a = e.resource;
      const who = (a.agent || []).map(g => g.name || (g.who && (g.who.display || (g.who.identifier && g.who.identifier.value))) || '').filter(Boolean).join(', ');
      const what = (a.entity || []).map(x => x.what && (x.what.reference || (x.what.identifier && x.what.identifier.value)) || x.name || '').filter(Boolean).slice(0, 3).join(', ');
      return [formatDate(a.recorded), (a.subtype || []).map(s => s.display || s.code).join(', ') || (a.type && a.type.display) || '',
        who, a.outcome === '0' ? 'success' : 'failure ' + (a.outcome || ''), what];
    });
    area.replaceChildren(
      el('h2', {}, 'Consents and their versions'),
      consentRows.length ? table(['Consent', 'Version', 'Status', 'Recorded', 'Purposes', 'Form'], consentRows, { id: 'consent-history' })
        : el('p', {}, 'No consents.'),
      el('h2', {}, 'Audit trail of the patient'),
      el('p', { class: 'hint' }, (audit.total !== undefined ? audit.total : auditRows.length) + ' events, newest first'),
      auditRows.length ? table(['When', 'What', 'Who', 'Outcome', 'Objects'], auditRows, { id: 'audit-trail' }) : el('p', {}, 'No events.'));
  } catch (error) {
    area.replaceChildren(errorBox(error));
  }
}
