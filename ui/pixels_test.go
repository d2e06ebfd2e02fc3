package ui

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

func decodeDataURL(t *testing.T, u string) []byte {
	t.Helper()
	const pre = "data:image/bmp;base64,"
	if !strings.HasPrefix(u, pre) {
		t.Fatalf("not a BMP data URL: %.40s", u)
	}
	b, err := base64.StdEncoding.DecodeString(u[len(pre):])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pixel reads pixel (x, y) (top row 0) of a 24-bit bottom-up BMP as r, g, b.
func pixel(b []byte, x, y int) (byte, byte, byte) {
	w := int(binary.LittleEndian.Uint32(b[18:]))
	h := int(binary.LittleEndian.Uint32(b[22:]))
	stride := (3*w + 3) &^ 3
	o := 54 + stride*(h-1-y) + 3*x
	return b[o+2], b[o+1], b[o]
}

func TestBMP(t *testing.T) {
	for _, w := range []int{1, 2, 3, 28, 40} {
		rgb := make([]byte, 3*w*2)
		for i := range rgb {
			rgb[i] = byte(i * 7)
		}
		b := BMP(rgb, w, 2)
		if string(b[:2]) != "BM" || int(binary.LittleEndian.Uint32(b[2:])) != len(b) {
			t.Fatalf("w=%d: bad header", w)
		}
		for y := range 2 {
			for x := range w {
				r, g, bl := pixel(b, x, y)
				s := rgb[3*(y*w+x):]
				if r != s[0] || g != s[1] || bl != s[2] {
					t.Fatalf("w=%d (%d,%d): %d %d %d, want %v", w, x, y, r, g, bl, s[:3])
				}
			}
		}
	}
}

func TestPictures(t *testing.T) {
	img := make([]float32, ImageSize)
	img[0] = 1 // ink at the top left
	img[1] = float32(math.NaN())
	b := decodeDataURL(t, ImagePicture(img, ImageSide, ImageSide))
	if r, g, bl := pixel(b, 0, 0); r != 20 || g != 24 || bl != 40 {
		t.Errorf("ink = %d %d %d", r, g, bl)
	}
	if r, _, _ := pixel(b, 1, 0); r != 250 {
		t.Errorf("NaN must draw as paper, got %d", r)
	}
	spec := make([]float32, AudioSize)
	spec[0] = 1 // lowest band, first frame: drawn at the bottom left
	b = decodeDataURL(t, SpectrogramPicture(spec, AudioSide, AudioSide, true))
	if r, g, bl := pixel(b, 0, AudioSide-1); r != 252 || g != 253 || bl != 191 {
		t.Errorf("loudest = %d %d %d", r, g, bl)
	}
	if r, g, bl := pixel(b, 0, 0); r != 0 || g != 0 || bl != 4 {
		t.Errorf("silent = %d %d %d", r, g, bl)
	}
}
