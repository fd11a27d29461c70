export default globalThis.Konva;
