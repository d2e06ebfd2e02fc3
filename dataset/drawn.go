package dataset

import (
	"math"

	"github.com/i2m2-wasm/i2m2/features"
)

// The lab's drawing pad (ui/browser_js.go): a PadSide x PadSide canvas, strokes of width
// PadStroke with round caps and joins, dark ink on a transparent canvas. Digits "drawn" here are
// MNIST digits thinned to a one-pixel skeleton, traced into strokes and painted with that pen:
// what a person tracing the digit on the pad would produce.
const (
	PadSide   = 280
	PadStroke = 20
	padScale  = PadSide / 28 // pad pixels per MNIST pixel
)

// Point is a pad position in canvas pixels.
type Point struct{ X, Y float64 }

// Strokes traces the skeleton of a 28x28 MNIST digit (ink >= 128, Zhang-Suen thinning) into
// pen strokes in pad coordinates: each stroke follows 8-connected skeleton pixels from an end
// point, as a person would draw it.
func Strokes(img []uint8) [][]Point {
	sk := thin(img)
	used := make([]bool, 28*28)
	nb := func(p int) []int {
		var out []int
		y, x := p/28, p%28
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				yy, xx := y+dy, x+dx
				if (dy != 0 || dx != 0) && yy >= 0 && yy < 28 && xx >= 0 && xx < 28 && sk[yy*28+xx] {
					out = append(out, yy*28+xx)
				}
			}
		}
		return out
	}
	free := func(p int) (n int) {
		for _, q := range nb(p) {
			if !used[q] {
				n++
			}
		}
		return n
	}
	var strokes [][]Point
	// start from end points (one free neighbour) first, then from whatever is left (loops)
	for pass := 0; pass < 2; pass++ {
		for p := 0; p < 28*28; p++ {
			if !sk[p] || used[p] || (pass == 0 && free(p) != 1) {
				continue
			}
			var s []Point
			for q := p; q >= 0; {
				used[q] = true
				s = append(s, Point{(float64(q%28) + 0.5) * padScale, (float64(q/28) + 0.5) * padScale})
				next := -1
				for _, c := range nb(q) { // prefer 4-neighbours: smoother strokes
					if !used[c] && (next < 0 || (c/28 == q/28 || c%28 == q%28)) {
						next = c
					}
				}
				q = next
			}
			strokes = append(strokes, s)
		}
	}
	return strokes
}

// thin is Zhang-Suen thinning of img >= 128.
func thin(img []uint8) []bool {
	b := make([]bool, 28*28)
	for i, v := range img {
		b[i] = v >= 128
	}
	at := func(y, x int) int {
		if y < 0 || y >= 28 || x < 0 || x >= 28 || !b[y*28+x] {
			return 0
		}
		return 1
	}
	for changed := true; changed; {
		changed = false
		for step := 0; step < 2; step++ {
			var del []int
			for y := 0; y < 28; y++ {
				for x := 0; x < 28; x++ {
					if !b[y*28+x] {
						continue
					}
					// neighbours P2..P9 clockwise from north
					p := [8]int{at(y-1, x), at(y-1, x+1), at(y, x+1), at(y+1, x+1), at(y+1, x), at(y+1, x-1), at(y, x-1), at(y-1, x-1)}
					n, t := 0, 0
					for k := 0; k < 8; k++ {
						n += p[k]
						if p[k] == 0 && p[(k+1)%8] == 1 {
							t++
						}
					}
					if n < 2 || n > 6 || t != 1 {
						continue
					}
					if step == 0 && (p[0]*p[2]*p[4] != 0 || p[2]*p[4]*p[6] != 0) {
						continue
					}
					if step == 1 && (p[0]*p[2]*p[6] != 0 || p[0]*p[4]*p[6] != 0) {
						continue
					}
					del = append(del, y*28+x)
				}
			}
			for _, i := range del {
				b[i] = false
			}
			changed = changed || len(del) > 0
		}
	}
	return b
}

// PaintStrokes renders strokes with a round pen of the given width on a transparent PadSide canvas
// (RGBA, ink in the alpha channel, anti-aliased by distance to the stroke), like the pad's canvas.
func PaintStrokes(strokes [][]Point, width float64) []byte {
	cov := make([]float64, PadSide*PadSide)
	r := width / 2
	seg := func(a, b Point) {
		x0 := int(math.Max(0, math.Floor(math.Min(a.X, b.X)-r-1)))
		x1 := int(math.Min(PadSide-1, math.Ceil(math.Max(a.X, b.X)+r+1)))
		y0 := int(math.Max(0, math.Floor(math.Min(a.Y, b.Y)-r-1)))
		y1 := int(math.Min(PadSide-1, math.Ceil(math.Max(a.Y, b.Y)+r+1)))
		dx, dy := b.X-a.X, b.Y-a.Y
		l2 := dx*dx + dy*dy
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				px, py := float64(x)+0.5-a.X, float64(y)+0.5-a.Y
				t := 0.0
				if l2 > 0 {
					t = math.Min(1, math.Max(0, (px*dx+py*dy)/l2))
				}
				ex, ey := px-t*dx, py-t*dy
				c := math.Min(1, math.Max(0, r+0.5-math.Sqrt(ex*ex+ey*ey)))
				if c > cov[y*PadSide+x] {
					cov[y*PadSide+x] = c
				}
			}
		}
	}
	for _, s := range strokes {
		for i := range s {
			if i == 0 {
				seg(s[0], s[0])
			} else {
				seg(s[i-1], s[i])
			}
		}
	}
	rgba := make([]byte, 4*PadSide*PadSide)
	for i, c := range cov {
		rgba[4*i], rgba[4*i+1], rgba[4*i+2] = 0x14, 0x18, 0x2a // the pad's ink colour
		rgba[4*i+3] = byte(math.Floor(c*255 + 0.5))
	}
	return rgba
}

// Drawn is a 28x28 MNIST digit as the pad would deliver it: traced, painted with the pad's pen and
// passed through features.ImageLevels.
func Drawn(img []uint8) []uint8 {
	q, err := features.ImageLevels(PaintStrokes(Strokes(img), PadStroke), PadSide, PadSide)
	if err != nil {
		panic(err) // fixed, valid canvas size
	}
	return q
}
