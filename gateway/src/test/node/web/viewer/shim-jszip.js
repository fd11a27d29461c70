export default globalThis.JSZip;
