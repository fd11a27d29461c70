// Capture: patient, encounter, department and protocol, then one row per view of the protocol's
// checklist with its own file input (camera on phones), progress bar and retry. Photos are held in
// memory only until their upload answers; nothing is written to browser storage.
import { el, field, page, say, errorBox, uid } from '../ui.js';
import { getJson, upload } from '../api.js';
import { departments } from '../auth.js';
import { patientForm, encounterKey, encounterLabel } from './patient.js';

/** The protocols as GET /api/v1/protocols serves them (docs/api.md, docs/vocabularies.md). */
export function normaliseProtocols(answer) {
  const list = Array.isArray(answer) ? answer : answer.protocols || [];
  return list.map(p => ({
    code: p.code,
    name: p.name || p.code,
    description: p.description || '',
    metadataProtocol: p.metadataProtocol || null,
    views: (p.views || []).map(v => ({
      key: v.id,
      label: v.label || v.id,
      instructions: v.instruction || '',
      view: v.view,
      bodySite: v.bodySite,
      laterality: v.laterality || 'U',
      sensitive: !!v.sensitive,
    })),
    open: !!p.freeCapture || (p.views || []).length === 0,
  }));
}

/** Choices for free capture (docs/vocabularies.md). */
const SITES = [
  { code: '39937001', display: 'Skin' }, { code: '89545001', display: 'Face' },
  { code: '76752008', display: 'Breast' }, { code: '113345001', display: 'Abdominal structure' },
  { code: '40983000', display: 'Upper arm' }, { code: '61685007', display: 'Lower limb' }];
const VIEWS = ['', 'anterior', 'posterior', 'left-lateral', 'right-lateral', 'left-oblique-45', 'right-oblique-45',
  'basal', 'vertex', 'close-up'];
const LATERALITIES = [['U', 'Unpaired or not applicable'], ['L', 'Left'], ['R', 'Right'], ['B', 'Both']];

export async function capturePage(settings) {
  const protocols = normaliseProtocols(await getJson('/api/v1/protocols'));
  const state = { patient: null, rows: [] };
  const work = el('section', { 'aria-labelledby': 'capture-details', hidden: true });
  const { form } = patientForm(settings, { buttonText: 'Find patient', onFound: found => {
    state.patient = found;
    showDetails(settings, protocols, state, work);
  } });
  page('Capture', form, work);
}

function showDetails(settings, protocols, state, work) {
  const encounters = state.patient.encounters || [];
  const encounterSelect = el('select', { name: 'encounter' },
    encounters.map(e => el('option', { value: encounterKey(e) }, encounterLabel(e))),
    el('option', { value: '' }, 'Another encounter (type its number)'));
  const encounterOther = el('input', { type: 'text', name: 'encounter-other', autocomplete: 'off' });
  const otherField = field('Encounter number', encounterOther, 'In the encounter identifier system ' + settings.encounterIdentifierSystem);
  otherField.hidden = encounters.length > 0;
  encounterSelect.addEventListener('change', () => { otherField.hidden = encounterSelect.value !== ''; });
  const departmentSelect = el('select', { name: 'department' },
    departments().map(d => el('option', { value: d }, d)));
  const protocolSelect = el('select', { name: 'protocol' },
    protocols.map(p => el('option', { value: p.code }, p.name)));
  const checklist = el('div', { class: 'checklist-area' });
  const start = el('button', { type: 'submit' }, 'Start');
  const detailsForm = el('form', { novalidate: true },
    el('fieldset', {},
      el('legend', { id: 'capture-details' }, 'Encounter and protocol'),
      el('div', { class: 'row' },
        field('Encounter', encounterSelect), otherField,
        field('Department', departmentSelect, 'The department that may see these photos'),
        field('Protocol', protocolSelect)),
      el('div', { class: 'actions' }, start)));
  detailsForm.addEventListener('submit', event => {
    event.preventDefault();
    const encounterValue = encounterSelect.value || (encounterOther.value.trim()
      ? settings.encounterIdentifierSystem + '|' + encounterOther.value.trim() : '');
    if (!encounterValue) {
      checklist.replaceChildren(el('p', { class: 'error', role: 'alert' }, 'Choose or type the encounter.'));
      return;
    }
    const [system, ...value] = encounterValue.split('|');
    const protocol = protocols.find(p => p.code === protocolSelect.value);
    renderChecklist(checklist, {
      patient: patientForUpload(state.patient),
      encounter: { identifier: { system, value: value.join('|') } },
      department: departmentSelect.value,
      protocol,
    });
  });
  work.hidden = false;
  work.replaceChildren(detailsForm, checklist);
  encounterSelect.focus();
}

/** The upload's patient: the identifier, and the EHR's name, birth date and sex when the EHR gave them. */
function patientForUpload(found) {
  const patient = { identifier: { system: found.system, value: found.value } };
  const p = found.patient;
  if (p && p.source === 'ehr' && p.found) {
    if (p.name) patient.name = p.name;
    if (p.birthDate) patient.birthDate = p.birthDate;
    if (p.sex) patient.sex = p.sex;
  }
  return patient;
}

function renderChecklist(area, context) {
  const { protocol } = context;
  const rows = protocol.views.map(view => viewRow(view, context, () => summary()));
  const list = el('ul', { class: 'checklist', 'aria-label': protocol.name + ' checklist' }, rows.map(r => r.item));
  const status = el('div', { id: 'checklist-status', 'aria-live': 'polite' });
  const extra = protocol.open ? freeCapture(context, list, rows, () => summary()) : null;
  function summary() {
    if (protocol.open) {
      const done = rows.filter(r => r.done()).length;
      status.className = done > 0 ? 'complete' : 'missing';
      status.textContent = done + ' photo' + (done === 1 ? '' : 's') + ' uploaded';
      return;
    }
    const missing = rows.filter(r => !r.done() && !r.view.optional).map(r => r.view.label);
    status.className = missing.length ? 'missing' : 'complete';
    status.textContent = missing.length
      ? 'Missing ' + missing.length + ' of ' + rows.filter(r => !r.view.optional).length + ': ' + missing.join(', ')
      : 'Complete: all ' + rows.length + ' views uploaded';
  }
  area.replaceChildren(el('h2', {}, protocol.name), protocol.description ? el('p', { class: 'hint' }, protocol.description) : '',
    status, list, extra || '');
  summary();
}

function freeCapture(context, list, rows, changed) {
  const add = el('button', { type: 'button', class: 'secondary' }, 'Add a photo');
  add.addEventListener('click', () => {
    const view = { key: 'free-' + rows.length, label: 'Photo ' + (rows.length + 1), instructions: '', view: null,
      bodySite: null, laterality: 'U', free: true };
    const row = viewRow(view, context, changed);
    rows.push(row);
    list.append(row.item);
    row.item.querySelector('select').focus();
    changed();
  });
  return el('div', { class: 'actions' }, add);
}

function viewRow(view, context, changed) {
  const id = uid('view');
  let file = null;
  let uploaded = null;
  const input = el('input', { type: 'file', id: id + '-file', accept: 'image/jpeg,image/png', capture: 'environment',
    class: 'file-pick', dataset: { view: view.key } });
  const stateText = el('span', { class: 'view-state', id: id + '-state' }, 'To take');
  const bar = el('progress', { max: 1, value: 0, id: id + '-progress', 'aria-label': 'Upload of ' + view.label });
  bar.hidden = true;
  const message = el('p', { class: 'hint', 'aria-live': 'polite' });
  const retry = el('button', { type: 'button', class: 'secondary', hidden: true }, 'Retry ' + view.label);
  const extraFields = [];
  let siteSelect = null;
  let viewSelect = null;
  let lateralitySelect = null;
  if (view.free) {
    siteSelect = el('select', { name: 'body-site' }, SITES.map(s => el('option', { value: s.code }, s.display)));
    viewSelect = el('select', { name: 'view' }, VIEWS.map(v => el('option', { value: v }, v || 'No particular view')));
    lateralitySelect = el('select', { name: 'laterality' }, LATERALITIES.map(([v, t]) => el('option', { value: v }, t)));
    extraFields.push(el('div', { class: 'row' }, field('Body site', siteSelect), field('View', viewSelect),
      field('Side', lateralitySelect)));
  }
  const item = el('li', { dataset: { view: view.key } },
    el('div', { class: 'view-head' }, el('label', { for: input.id }, view.label), stateText),
    view.instructions ? el('p', { class: 'hint' }, view.instructions) : '',
    extraFields, input, bar, message, retry);

  async function send() {
    if (!file) return;
    retry.hidden = true;
    bar.hidden = false;
    bar.value = 0;
    stateText.textContent = 'Uploading';
    message.textContent = '';
    const site = view.free ? SITES.find(s => s.code === siteSelect.value) : null;
    const bodySite = site ? { system: 'http://snomed.info/sct', code: site.code, display: site.display } : view.bodySite;
    const metadata = {
      patient: context.patient, encounter: context.encounter, department: context.department,
      accessTags: [context.department], bodySite,
      laterality: view.free ? lateralitySelect.value : view.laterality || 'U',
      takenAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    const viewCode = view.free ? viewSelect.value : view.view;
    if (viewCode) metadata.view = viewCode;
    if (context.protocol.metadataProtocol) metadata.protocol = context.protocol.metadataProtocol;
    try {
      uploaded = await upload(file, metadata, fraction => {
        bar.value = fraction;
        bar.setAttribute('aria-valuetext', Math.round(fraction * 100) + '%');
      });
      file = null; // the photo leaves the page's memory once the gateway holds it
      input.value = '';
      item.classList.add('done');
      item.dataset.photoId = uploaded.id;
      stateText.textContent = 'Uploaded';
      message.textContent = 'Accepted by the gateway (' + uploaded.status + ').';
      say(view.label + ' uploaded');
    } catch (error) {
      stateText.textContent = 'Failed';
      message.replaceChildren(errorBox(error));
      retry.hidden = false;
      say(view.label + ' failed: ' + error.message);
    }
    changed();
  }

  input.addEventListener('change', () => {
    if (!input.files.length) return;
    file = input.files[0];
    item.classList.remove('done');
    uploaded = null;
    send();
  });
  retry.addEventListener('click', send);
  return { item, view, input, done: () => !!uploaded };
}
