// Uses the dicomweb-client library (the DICOMweb client OHIF is built on) against the gateway's
// /dicomweb door as a viewer would: search a patient's studies and instances, retrieve one instance,
// its rendered JPEG and its frame, with the user's bearer token. Prints one JSON object with what it got; the
// Java test (DicomWebClientTest) decides what that should be.
//
// Environment: DICOMWEB_URL, TOKEN, PATIENT_ID, and the instance to retrieve: STUDY_UID, SERIES_UID,
// SOP_UID; OUT_FILE receives the retrieved Part 10 object.
import { writeFileSync } from 'node:fs';
import dicomweb from 'dicomweb-client';
import XMLHttpRequest from 'xhr2';

// dicomweb-client speaks XMLHttpRequest, as in a browser.
globalThis.XMLHttpRequest = XMLHttpRequest;

const env = process.env;
const client = new dicomweb.api.DICOMwebClient({
  url: env.DICOMWEB_URL,
  headers: { Authorization: `Bearer ${env.TOKEN}` },
});

const value = (dataset, tag) => dataset?.[tag]?.Value?.[0];

async function attempt(action) {
  try {
    return { status: 200, value: await action() };
  } catch (error) {
    return { status: error.status ?? -1, error: String(error.message ?? error) };
  }
}

const result = {};

const studies = await attempt(() => client.searchForStudies({ queryParams: { PatientID: env.PATIENT_ID } }));
result.searchForStudies = {
  status: studies.status,
  error: studies.error,
  studies: (studies.value ?? []).map(s => ({
    studyInstanceUid: value(s, '0020000D'),
    patientId: value(s, '00100020'),
    instances: value(s, '00201208'),
  })),
};

const instances = await attempt(() => client.searchForInstances({ studyInstanceUID: env.STUDY_UID }));
result.searchForInstances = {
  status: instances.status,
  error: instances.error,
  instances: (instances.value ?? []).map(i => ({
    seriesInstanceUid: value(i, '0020000E'),
    sopInstanceUid: value(i, '00080018'),
  })),
};

const ids = { studyInstanceUID: env.STUDY_UID, seriesInstanceUID: env.SERIES_UID, sopInstanceUID: env.SOP_UID };
const instance = await attempt(() => client.retrieveInstance(ids));
result.retrieveInstance = { status: instance.status, error: instance.error };
if (instance.value) {
  const bytes = new Uint8Array(instance.value);
  writeFileSync(env.OUT_FILE, bytes);
  result.retrieveInstance.bytes = bytes.length;
  result.retrieveInstance.transferSyntax = instance.value.transferSyntaxUID ?? null;
}

const rendered = await attempt(() => client.retrieveInstanceRendered({
  ...ids,
  mediaTypes: [{ mediaType: 'image/jpeg' }],
}));
result.retrieveInstanceRendered = { status: rendered.status, error: rendered.error };
if (rendered.value) {
  const first = rendered.value instanceof ArrayBuffer ? rendered.value : rendered.value[0];
  const bytes = new Uint8Array(first);
  result.retrieveInstanceRendered.bytes = bytes.length;
  result.retrieveInstanceRendered.jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
}

const frames = await attempt(() => client.retrieveInstanceFrames({ ...ids, frameNumbers: [1] }));
result.retrieveInstanceFrames = { status: frames.status, error: frames.error };
if (frames.value) {
  result.retrieveInstanceFrames.frames = frames.value.length;
  result.retrieveInstanceFrames.bytes = frames.value[0].byteLength;
}

console.log(JSON.stringify(result));
