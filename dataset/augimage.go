package dataset

import (
	"math"

	"github.com/i2m2-wasm/i2m2/features"
)

// ImageAug switches the digit augmentations of the real-input training set (each can be turned off
// for the ablation). Like AudioAug, every random choice comes from the RNG given to Apply.
type ImageAug struct {
	Degraded  bool // a quarter of the digits PCA-degraded as in the benchmark, the rest clean
	Thickness bool // a third thickened, a sixth thinned (3x3 grey dilation / erosion)
	Affine    bool // rotation +-15 deg, per-axis scale 0.8-1.2, shear +-0.2, then re-cropped and centred by features.ImageLevels
	Blur      bool // a quarter blurred (3x3 binomial)
	Drawn     bool // a third traced and painted with the pad's round pen, width 12-28 px, hand jitter
}

// AllImageAug is every augmentation on (the shipped recipe).
var AllImageAug = ImageAug{Degraded: true, Thickness: true, Affine: true, Blur: true, Drawn: true}

// Apply returns an augmented version of the clean MNIST digit raw (784 levels); degraded is its
// PCA-degraded version.
func (a ImageAug) Apply(raw, degraded []uint8, r *RNG) []uint8 {
	var m [4]float64 // affine map (2x2, row-major), identity unless Affine
	m = [4]float64{1, 0, 0, 1}
	if a.Affine {
		th := (r.Float64()*30 - 15) * math.Pi / 180
		sx, sy := 0.8+0.4*r.Float64(), 0.8+0.4*r.Float64()
		sh := 0.4*r.Float64() - 0.2
		c, s := math.Cos(th), math.Sin(th)
		// rotation * shear * scale
		m = [4]float64{c * sx, (c*sh - s) * sy, s * sx, (s*sh + c) * sy}
	}
	if a.Drawn && r.Float64() < 1.0/3 {
		strokes := Strokes(raw)
		for _, s := range strokes {
			for i := range s {
				x, y := s[i].X-PadSide/2+gauss(r)*2, s[i].Y-PadSide/2+gauss(r)*2
				s[i] = Point{m[0]*x + m[1]*y + PadSide/2, m[2]*x + m[3]*y + PadSide/2}
			}
		}
		q, _ := features.ImageLevels(PaintStrokes(strokes, 12+16*r.Float64()), PadSide, PadSide)
		return q
	}
	src := raw
	if a.Degraded && r.Float64() < 0.25 {
		src = degraded
	}
	x := make([]float64, 784)
	for i, v := range src {
		x[i] = float64(v) / 255
	}
	if a.Thickness {
		switch u := r.Float64(); {
		case u < 1.0/3:
			x = morph(x, math.Max)
		case u < 0.5:
			x = morph(x, math.Min)
		}
	}
	if a.Blur && r.Float64() < 0.25 {
		x = blur(x)
	}
	if !a.Affine {
		out := make([]uint8, 784)
		for i, v := range x {
			out[i] = uint8(math.Floor(min(1, max(0, v))*255 + 0.5))
		}
		return out
	}
	// Warp into a 48x48 canvas (room for rotation and scale), then crop, scale and centre it the
	// way the pad's drawings are (features.ImageLevels).
	const side = 48
	inv := 1 / (m[0]*m[3] - m[1]*m[2])
	im := [4]float64{m[3] * inv, -m[1] * inv, -m[2] * inv, m[0] * inv}
	rgba := make([]byte, 4*side*side)
	for y := 0; y < side; y++ {
		for xx := 0; xx < side; xx++ {
			u, v := float64(xx)-side/2+0.5, float64(y)-side/2+0.5
			sx, sy := im[0]*u+im[1]*v+14-0.5, im[2]*u+im[3]*v+14-0.5
			rgba[4*(y*side+xx)+3] = uint8(math.Floor(min(1, max(0, bilinear(x, sx, sy)))*255 + 0.5))
		}
	}
	q, _ := features.ImageLevels(rgba, side, side)
	return q
}

func bilinear(x []float64, sx, sy float64) float64 {
	x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
	fx, fy := sx-float64(x0), sy-float64(y0)
	at := func(yy, xx int) float64 {
		if yy < 0 || yy >= 28 || xx < 0 || xx >= 28 {
			return 0
		}
		return x[yy*28+xx]
	}
	return (1-fy)*((1-fx)*at(y0, x0)+fx*at(y0, x0+1)) + fy*((1-fx)*at(y0+1, x0)+fx*at(y0+1, x0+1))
}

// morph is a 3x3 cross grey dilation (op = max) or erosion (op = min).
func morph(x []float64, op func(a, b float64) float64) []float64 {
	out := make([]float64, 784)
	for y := 0; y < 28; y++ {
		for xx := 0; xx < 28; xx++ {
			v := x[y*28+xx]
			for _, d := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				yy, xc := y+d[0], xx+d[1]
				n := 0.0
				if yy >= 0 && yy < 28 && xc >= 0 && xc < 28 {
					n = x[yy*28+xc]
				}
				v = op(v, n)
			}
			out[y*28+xx] = v
		}
	}
	return out
}

// blur is a 3x3 binomial blur (weights 1 2 1 per axis), zero outside.
func blur(x []float64) []float64 {
	out := make([]float64, 784)
	w := [3]float64{0.25, 0.5, 0.25}
	for y := 0; y < 28; y++ {
		for xx := 0; xx < 28; xx++ {
			s := 0.0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					yy, xc := y+dy, xx+dx
					if yy >= 0 && yy < 28 && xc >= 0 && xc < 28 {
						s += w[dy+1] * w[dx+1] * x[yy*28+xc]
					}
				}
			}
			out[y*28+xx] = s
		}
	}
	return out
}
