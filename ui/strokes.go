package ui

import "math"

// The keyboard's way to draw: typing a digit on the drawing pad draws it stroke by stroke, as a hand
// would, and each stroke updates the prediction like a stroke drawn with a pointer. The shapes are
// polylines in the unit square (x right, y down); features.ImageFromRGBA crops, scales and centres
// the ink afterwards as MNIST did, so only the shape matters.
var digitStrokes = [...][][]float64{
	0: {ellipse(0.5, 0.5, 0.24, 0.38, 0.35, 28)},
	1: {{0.54, 0.1, 0.46, 0.9}},
	2: {{0.26, 0.3, 0.34, 0.15, 0.5, 0.09, 0.67, 0.15, 0.72, 0.31, 0.62, 0.5, 0.26, 0.88, 0.78, 0.88}},
	3: {{0.32, 0.2, 0.46, 0.1, 0.62, 0.12, 0.66, 0.28, 0.5, 0.46, 0.4, 0.48, 0.5, 0.5, 0.66, 0.6, 0.68, 0.78, 0.54, 0.9, 0.32, 0.86}},
	4: {{0.56, 0.1, 0.22, 0.62, 0.8, 0.62}, {0.6, 0.32, 0.6, 0.92}},
	5: {{0.4, 0.12, 0.32, 0.46, 0.46, 0.42, 0.62, 0.48, 0.68, 0.66, 0.6, 0.84, 0.44, 0.9, 0.28, 0.84}, {0.4, 0.12, 0.72, 0.1}},
	6: {{0.68, 0.08, 0.44, 0.24, 0.28, 0.48, 0.26, 0.72, 0.4, 0.92, 0.64, 0.9, 0.76, 0.72, 0.66, 0.5, 0.44, 0.48, 0.28, 0.6}},
	7: {{0.24, 0.14, 0.76, 0.14, 0.44, 0.9}},
	8: {{0.68, 0.18, 0.5, 0.08, 0.3, 0.16, 0.3, 0.34, 0.5, 0.46, 0.72, 0.58, 0.74, 0.8, 0.5, 0.94, 0.26, 0.82, 0.28, 0.6, 0.5, 0.46, 0.7, 0.34, 0.68, 0.18}},
	9: {{0.7, 0.32, 0.62, 0.12, 0.42, 0.08, 0.26, 0.22, 0.26, 0.44, 0.44, 0.56, 0.64, 0.5, 0.72, 0.32, 0.68, 0.62, 0.6, 0.92}},
}

// ellipse is a closed polyline around (cx, cy), starting at angle a0 (radians, clockwise from
// the right) as a pen starts a "0" near its top right.
func ellipse(cx, cy, rx, ry, a0 float64, n int) []float64 {
	p := make([]float64, 0, 2*(n+1))
	for i := 0; i <= n; i++ {
		a := -math.Pi/2 + a0 - 2*math.Pi*float64(i)/float64(n)
		p = append(p, cx+rx*math.Cos(a), cy+ry*math.Sin(a))
	}
	return p
}

// DigitStrokes returns the strokes that draw digit d on a side x side pad, each as a polyline
// (x0, y0, x1, y1, ...) in pad pixels, with points every step pixels or closer so that a stroke can
// be drawn a few points at a time. It returns nil for a d that is not a digit.
func DigitStrokes(d int, side, step float64) [][]float64 {
	if d < 0 || d >= len(digitStrokes) {
		return nil
	}
	out := make([][]float64, 0, len(digitStrokes[d]))
	for _, s := range digitStrokes[d] {
		p := []float64{s[0] * side, s[1] * side}
		for i := 2; i+1 < len(s); i += 2 {
			x0, y0, x1, y1 := s[i-2]*side, s[i-1]*side, s[i]*side, s[i+1]*side
			n := max(1, int(math.Ceil(math.Hypot(x1-x0, y1-y0)/step)))
			for k := 1; k <= n; k++ {
				t := float64(k) / float64(n)
				p = append(p, x0+t*(x1-x0), y0+t*(y1-y0))
			}
		}
		out = append(out, p)
	}
	return out
}
