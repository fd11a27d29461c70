// Before/after: the same body site and view from two encounters, side by side.
import { el, field, page, errorBox, formatDate } from '../ui.js';
import { showImage } from '../api.js';
import { patientForm, encounterLabel } from './patient.js';
import { listPhotos, viewKey, viewLabel, takenAt } from './photos.js';

export async function comparePage(settings) {
  const area = el('section', { 'aria-label': 'Comparison' });
  const { form } = patientForm(settings, { buttonText: 'Choose photos', lookup: false, onFound: found => choose(found, area) });
  page('Before and after', form, area);
}

async function choose(found, area) {
  let listing;
  try {
    listing = await listPhotos(found.system, found.value);
  } catch (error) {
    area.replaceChildren(errorBox(error));
    return;
  }
  const views = new Map();
  for (const photo of listing.photos) {
    const key = viewKey(photo);
    if (!views.has(key)) views.set(key, { label: viewLabel(photo), photos: [] });
    views.get(key).photos.push(photo);
  }
  const comparable = [...views.entries()].filter(([, v]) => v.photos.length >= 2);
  if (!comparable.length) {
    area.replaceChildren(el('p', {}, 'No view was photographed twice yet.'));
    return;
  }
  const viewSelect = el('select', { name: 'view' }, comparable.map(([key, v]) => el('option', { value: key }, v.label)));
  const before = el('select', { name: 'before' });
  const after = el('select', { name: 'after' });
  const pair = el('div', { class: 'pair', 'aria-live': 'polite' });
  function options() {
    const photos = views.get(viewSelect.value).photos.slice().sort((a, b) => (takenAt(a) > takenAt(b) ? 1 : -1));
    const option = p => el('option', { value: p.id }, encounterLabel(p) + ' · ' + formatDate(takenAt(p)));
    before.replaceChildren(...photos.map(option));
    after.replaceChildren(...photos.map(option));
    before.value = photos[0].id;
    after.value = photos[photos.length - 1].id;
  }
  viewSelect.addEventListener('change', options);
  options();
  const form = el('form', { novalidate: true },
    el('fieldset', {}, el('legend', {}, 'What to compare'),
      el('div', { class: 'row' }, field('View', viewSelect), field('Before', before), field('After', after)),
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Compare'))));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const photos = views.get(viewSelect.value).photos;
    const show = async (id, caption) => {
      const photo = photos.find(p => p.id === id);
      const img = el('img', { alt: caption + ': ' + viewLabel(photo) + ', ' + formatDate(takenAt(photo)) });
      const figure = el('figure', { dataset: { photoId: id } }, img, el('figcaption', {}, caption + ' · ' + encounterLabel(photo)));
      pair.append(figure);
      try {
        await showImage(img, '/api/v1/photos/' + encodeURIComponent(id) + '/rendered');
        figure.classList.add('loaded');
      } catch (error) {
        figure.append(errorBox(error));
      }
    };
    pair.replaceChildren();
    await Promise.all([show(before.value, 'Before'), show(after.value, 'After')]);
  });
  area.replaceChildren(form, pair);
}
