// The QR code of an address, for phones.

/**
 * A PNG data: URL; made in the main process so the window needs no library and no
 * eval. The library loads on first use: a server started in the tray never needs it.
 */
export async function qrCodeDataUrl(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
}
