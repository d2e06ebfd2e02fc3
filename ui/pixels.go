package ui

import (
	"encoding/base64"
	"encoding/binary"
)

// BMP encodes a w x h RGB picture (rgb row-major, top row first, 3 bytes per pixel) as an
// uncompressed 24-bit BMP (BITMAPINFOHEADER, rows bottom-up and padded to 4 bytes). Small pictures
// need no compressor, which keeps image/png out of the UI's wasm.
func BMP(rgb []byte, w, h int) []byte {
	stride := (3*w + 3) &^ 3
	b := make([]byte, 54+stride*h)
	le := binary.LittleEndian
	copy(b, "BM")
	le.PutUint32(b[2:], uint32(len(b)))
	le.PutUint32(b[10:], 54)
	le.PutUint32(b[14:], 40)
	le.PutUint32(b[18:], uint32(w))
	le.PutUint32(b[22:], uint32(h))
	le.PutUint16(b[26:], 1)
	le.PutUint16(b[28:], 24)
	le.PutUint32(b[34:], uint32(stride*h))
	for y := 0; y < h; y++ {
		row := b[54+stride*(h-1-y):]
		for x := 0; x < w; x++ {
			s := rgb[3*(y*w+x):]
			row[3*x], row[3*x+1], row[3*x+2] = s[2], s[1], s[0] // BGR
		}
	}
	return b
}

// DataURL returns a base64 data: URL of b.
func DataURL(mime string, b []byte) string {
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b)
}

// ImagePicture draws a w x h image (values in [0, 1], 1 = ink, row-major) as dark ink on paper.
func ImagePicture(x []float32, w, h int) string {
	rgb := make([]byte, 3*w*h)
	for i, v := range x[:w*h] {
		c := 255 - byte(clamp01(v)*255+0.5)
		// paper (250, 248, 242) to ink (20, 24, 40)
		rgb[3*i] = mix(250, 20, c)
		rgb[3*i+1] = mix(248, 24, c)
		rgb[3*i+2] = mix(242, 40, c)
	}
	return DataURL("image/bmp", BMP(rgb, w, h))
}

// SpectrogramPicture draws a spectrogram (bands rows, low frequency first, x frames columns, values
// in [0, 1]) with low frequencies at the bottom and time to the right, in a perceptually ordered
// palette. With flip false the rows are drawn top row first (any other 2-D input).
func SpectrogramPicture(x []float32, bands, frames int, flip bool) string {
	rgb := make([]byte, 3*bands*frames)
	for band := 0; band < bands; band++ {
		y := band
		if flip {
			y = bands - 1 - band
		}
		for t := 0; t < frames; t++ {
			r, g, b := palette(clamp01(x[band*frames+t]))
			o := 3 * (y*frames + t)
			rgb[o], rgb[o+1], rgb[o+2] = r, g, b
		}
	}
	return DataURL("image/bmp", BMP(rgb, frames, bands))
}

// paletteStops approximate matplotlib's "magma" at 0, 0.25, 0.5, 0.75, 1.
var paletteStops = [5][3]float32{{0, 0, 4}, {81, 18, 124}, {183, 55, 121}, {252, 137, 97}, {252, 253, 191}}

func palette(v float32) (byte, byte, byte) {
	f := v * 4
	i := int(f)
	if i >= 4 {
		i = 3
	}
	t := f - float32(i)
	a, b := paletteStops[i], paletteStops[i+1]
	return byte(a[0] + (b[0]-a[0])*t + 0.5), byte(a[1] + (b[1]-a[1])*t + 0.5), byte(a[2] + (b[2]-a[2])*t + 0.5)
}

// mix blends from a (at c = 255) to b (at c = 0).
func mix(a, b, c byte) byte {
	return byte((int(a)*int(c) + int(b)*(255-int(c)) + 127) / 255)
}

func clamp01(v float32) float32 {
	if !(v > 0) { // also NaN
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}
