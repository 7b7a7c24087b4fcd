// The GAN page: noise (+ digit) -> generator.onnx in ONNX Runtime Web -> a canvas.
// Served by `make serve-gan RUN=RUN_DIR` (tfnotes.gan_page): /model/ holds the
// export, /ort/ the runtime. window.ganPage is what the browser test drives.
import * as ort from "/ort/ort.wasm.min.mjs";

ort.env.wasm.wasmPaths = "/ort/";
ort.env.wasm.numThreads = 1; // threads need cross-origin isolation; 28x28 needs none

const SIZE = 28;
const DIGIT_SCALE = 10;
const GRID_SCALE = 2;
const GRID = 10;

const element = (id) => document.getElementById(id);
const state = {
  info: null, session: null, digit: 0, mode: "single",
  noise: null, columnNoise: [], timings: [], ready: false, drawn: 0, // pictures finished
};

function drawNoise(size) {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    if (state.info.noise === "uniform") {
      values[i] = Math.random() * 2 - 1;
    } else { // Box-Muller: a standard normal
      values[i] = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
    }
  }
  return values;
}

async function generate(noiseRows, digits) {
  const dim = state.info.noise_dim;
  const count = noiseRows.length;
  const noise = new Float32Array(count * dim);
  noiseRows.forEach((row, i) => noise.set(row, i * dim));
  const feeds = { [state.info.noise_input]: new ort.Tensor("float32", noise, [count, dim]) };
  if (state.info.conditional) {
    feeds[state.info.digit_input] = new ort.Tensor("int32", Int32Array.from(digits), [count]);
  }
  const start = performance.now();
  const outputs = await state.session.run(feeds);
  const milliseconds = performance.now() - start;
  return { images: outputs[state.session.outputNames[0]].data, milliseconds };
}

function paint(canvas, images, index, left, top, scale) {
  const context = canvas.getContext("2d");
  const picture = context.createImageData(SIZE * scale, SIZE * scale);
  for (let y = 0; y < SIZE * scale; y++) {
    for (let x = 0; x < SIZE * scale; x++) {
      const value = images[index * SIZE * SIZE + Math.floor(y / scale) * SIZE + Math.floor(x / scale)];
      const level = Math.max(0, Math.min(255, Math.round((value + 1) * 127.5)));
      const at = 4 * (y * SIZE * scale + x);
      picture.data.set([level, level, level, 255], at);
    }
  }
  context.putImageData(picture, left, top);
}

function paintNoise() {
  const canvas = element("noise");
  const context = canvas.getContext("2d");
  const width = canvas.width / state.noise.length;
  const middle = canvas.height / 2;
  const scale = state.info.noise === "uniform" ? middle : middle / 3;
  context.clearRect(0, 0, canvas.width, canvas.height);
  state.noise.forEach((value, i) => {
    const height = Math.max(-middle, Math.min(middle, value * scale));
    context.fillStyle = value >= 0 ? "#1f5fa8" : "#c0392b";
    context.fillRect(i * width, middle - Math.max(height, 0), Math.max(width - 0.5, 1), Math.abs(height));
  });
}

function showTiming(milliseconds, count) {
  state.timings.push(milliseconds);
  const sorted = state.timings.slice(1).sort((a, b) => a - b); // the first run warms up
  const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : milliseconds;
  element("timing").textContent =
    `generated ${count} image${count > 1 ? "s" : ""} in ${milliseconds.toFixed(1)} ms ` +
    `(median ${median.toFixed(1)} ms over ${Math.max(sorted.length, 1)} generations)`;
}

async function redraw() {
  paintNoise();
  if (state.mode === "single") {
    const { images, milliseconds } = await generate([state.noise], [state.digit]);
    paint(element("digit"), images, 0, 0, 0, DIGIT_SCALE);
    showTiming(milliseconds, 1);
  } else {
    const rows = [], digits = [];
    for (let row = 0; row < GRID; row++) {
      for (let column = 0; column < GRID; column++) {
        rows.push(state.info.conditional ? state.columnNoise[column] : drawNoise(state.info.noise_dim));
        digits.push(row);
      }
    }
    const { images, milliseconds } = await generate(rows, digits);
    for (let i = 0; i < GRID * GRID; i++) {
      const left = (i % GRID) * SIZE * GRID_SCALE, top = Math.floor(i / GRID) * SIZE * GRID_SCALE;
      paint(element("grid"), images, i, left, top, GRID_SCALE);
    }
    showTiming(milliseconds, GRID * GRID);
  }
  state.drawn += 1;
}

function newNoise() {
  state.columnNoise = Array.from({ length: GRID }, () => drawNoise(state.info.noise_dim));
  state.noise = state.columnNoise[0]; // the one-digit view shows the grid's first column
  return redraw();
}

function markDigit(digit) {
  state.digit = digit;
  for (const button of element("digit-picker").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.digit) === digit));
  }
}

function setDigit(digit) {
  markDigit(digit);
  return redraw();
}

function setMode(mode) {
  state.mode = mode;
  element("digit").hidden = mode !== "single";
  element("grid").hidden = mode !== "grid";
  document.querySelector(`input[name=mode][value=${mode}]`).checked = true;
  return redraw();
}

function buildPicker() {
  const picker = element("digit-picker");
  for (let digit = 0; digit < 10; digit++) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = `digit-${digit}`;
    button.dataset.digit = digit;
    button.textContent = digit;
    button.addEventListener("click", () => setDigit(digit));
    picker.append(button);
  }
}

async function start() {
  state.info = await (await fetch("/model/generator.json")).json();
  state.session = await ort.InferenceSession.create("/model/generator.onnx", {
    executionProviders: ["wasm"],
  });
  const noiseName = state.info.noise === "uniform" ? "uniform in [-1, 1]" : "standard normal";
  element("noise-caption").textContent =
    `the ${state.info.noise_dim}-d noise vector (${noiseName}): one bar per entry, up for positive`;
  if (state.info.conditional) {
    buildPicker();
    markDigit(0);
  } else {
    element("digit-picker").hidden = true;
  }
  element("new-noise").addEventListener("click", () => newNoise());
  for (const input of document.querySelectorAll("input[name=mode]")) {
    input.addEventListener("change", () => setMode(input.value));
  }
  await newNoise();
  element("status").textContent = state.info.conditional
    ? "ready: pick a digit, or draw new noise"
    : "an unconditional (dcgan) generator: there is no digit to pick; draw new noise";
  state.ready = true;
}

window.ganPage = { state, setDigit, setMode, newNoise };
window.ganPageReady = start().catch((error) => {
  element("status").textContent = `error: ${error.message || error}`;
  element("status").classList.add("error");
  throw error;
});
