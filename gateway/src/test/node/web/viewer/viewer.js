// Opens one photo through the gateway's /dicomweb door (WADO-RS, multipart/related DICOM) with the
// user's bearer token, as an EHR's embedded viewer would. Reports to the test through window.viewer.
import { App, AppOptions, ViewConfig } from '/dwv/dwv.min.js';

// The token travels in the fragment, which never reaches a server.
const params = new URLSearchParams(location.hash.slice(1));
window.viewer = { loaded: false, errors: [], done: false };
const app = new App();
app.init(new AppOptions({ '*': [new ViewConfig('layerGroup0')] }));
app.addEventListener('load', () => { window.viewer.loaded = true; });
app.addEventListener('error', event => {
  window.viewer.errors.push(String(event && (event.error && event.error.message || event.message) || 'load error'));
});
app.addEventListener('loadend', () => { window.viewer.done = true; });
app.loadURLs([params.get('url')], {
  requestHeaders: [
    { name: 'Authorization', value: 'Bearer ' + params.get('token') },
    { name: 'Accept', value: 'multipart/related; type="application/dicom"' },
  ],
});
