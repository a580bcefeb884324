/**
 * Reading the QR code on a delegate's card with the tablet camera.
 * Uses the browser's BarcodeDetector where it exists and supports QR codes; otherwise jsQR on
 * canvas frames taken from getUserMedia. The QR code holds exactly the card code.
 * The camera needs a secure context (HTTPS on the hall LAN, or localhost).
 */
import jsQR from "jsqr";

const SCAN_INTERVAL_MS = 150;
const MAX_FRAME_WIDTH = 640;

/** Whether this browser can open a camera at all. */
export function cameraAvailable() {
  return Boolean(window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

async function nativeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    return new window.BarcodeDetector({ formats: ["qr_code"] });
  } catch {
    return null;
  }
}

export class QrScanner {
  /**
   * @param {HTMLVideoElement} video
   * @param {(text: string) => void} onCode called once with the decoded text, then the scan stops
   */
  constructor(video, onCode) {
    this.video = video;
    this.onCode = onCode;
    this.stream = null;
    this.timer = null;
    this.canvas = document.createElement("canvas");
    this.context = this.canvas.getContext("2d", { willReadFrequently: true });
    this.detector = null;
    this.busy = false;
  }

  get running() {
    return this.stream !== null;
  }

  /** Open the back camera and start scanning. Rejects when the camera cannot be opened. */
  async start() {
    if (this.running) return;
    this.detector = await nativeDetector();
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    this.video.srcObject = this.stream;
    this.video.setAttribute("playsinline", "");
    this.video.muted = true;
    await this.video.play();
    this.timer = setInterval(() => this.tick(), SCAN_INTERVAL_MS);
  }

  /** Stop scanning and release the camera. */
  stop() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.stream) {
      for (const track of this.stream.getTracks()) track.stop();
    }
    this.stream = null;
    this.video.srcObject = null;
  }

  async tick() {
    if (this.busy || !this.running || this.video.readyState < 2) return;
    this.busy = true;
    try {
      const text = this.detector ? await this.detectNative() : this.detectJsQr();
      if (text && this.running) {
        this.stop();
        this.onCode(text.trim());
      }
    } catch (err) {
      console.warn("QR scan frame failed", err);
    } finally {
      this.busy = false;
    }
  }

  async detectNative() {
    const codes = await this.detector.detect(this.video);
    const hit = codes.find((c) => c.rawValue);
    return hit ? hit.rawValue : null;
  }

  detectJsQr() {
    const { videoWidth, videoHeight } = this.video;
    if (!videoWidth || !videoHeight) return null;
    const scale = Math.min(1, MAX_FRAME_WIDTH / videoWidth);
    const width = Math.round(videoWidth * scale);
    const height = Math.round(videoHeight * scale);
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    this.context.drawImage(this.video, 0, 0, width, height);
    const image = this.context.getImageData(0, 0, width, height);
    const code = jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return code && code.data ? code.data : null;
  }
}
