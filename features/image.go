package features

import (
	"math"
	"sort"

	"github.com/i2m2-wasm/i2m2/internal/errfmt"
)

// Image feature parameters: the image modality is [1, ImageSide, ImageSide], row-major, 0 = background.
const (
	ImageSide     = 28
	ImageSize     = ImageSide * ImageSide
	ImageBox      = 20   // the digit is scaled to fit a 20x20 box, as MNIST was made
	MaxImageSide  = 4096 // largest accepted canvas width or height
	inkBoxThresh  = 0.1  // ink above this (after contrast stretch) defines the bounding box
	transparentBG = 128  // border alpha below this counts as a transparent canvas
)

// ImageFromRGBA turns a canvas (RGBA bytes, row-major, 4 bytes per pixel, as from
// CanvasRenderingContext2D.getImageData) into the image modality: ImageSize float32 values in [0, 1],
// multiples of 1/255 (= float32(q)/255 for a uint8 q, like the MNIST bank). The steps:
//
//  1. Ink per pixel. If most border pixels are transparent (alpha < 128) the ink is the alpha
//     (any stroke colour on a transparent canvas). Otherwise the pixel is composited over white, its
//     luma is Y = (299R + 587G + 114B)/1000, the background luma is the median over the border, and
//     the ink is the contrast to it: (bg - Y)/bg for a light background (dark stroke on white), or
//     (Y - bg)/(255 - bg) for a dark background (light stroke on black), clamped at 0.
//  2. Contrast stretch: ink divided by its maximum (a blank canvas gives all zeros, not an error).
//  3. Bounding box of the pixels with ink > 0.1.
//  4. Scale the box to fit 20x20 preserving the aspect ratio (longer side 20, shorter side rounded,
//     at least 1), by area averaging (each output pixel is the mean over its source rectangle).
//  5. Place it in 28x28 so that its centre of mass is on pixel (14, 14) (row/column index; integer
//     shift, rounded; kept inside the 28x28 field), as MNIST was made (MNIST's mean centre of mass is
//     at index 14.0).
//  6. Round to the nearest 1/255.
//
// All arithmetic is IEEE float64 +,-,*,/ without fused multiply-add: identical on every platform.
func ImageFromRGBA(rgba []byte, width, height int) ([]float32, error) {
	return levelsToFeatures(ImageLevels(rgba, width, height))
}

// CheckImageSize reports whether ImageFromRGBA accepts a width x height canvas: a caller copying
// the pixels from elsewhere (the JS bridge) checks first, so a huge canvas is never copied.
func CheckImageSize(width, height int) error {
	if width < 1 || height < 1 || width > MaxImageSide || height > MaxImageSide {
		return errfmt.Errorf("features: image size %dx%d out of range [1, %d]", width, height, MaxImageSide)
	}
	return nil
}

// ImageLevels is ImageFromRGBA returning the uint8 levels.
func ImageLevels(rgba []byte, width, height int) ([]uint8, error) {
	if err := CheckImageSize(width, height); err != nil {
		return nil, err
	}
	if len(rgba) != 4*width*height {
		return nil, errfmt.Errorf("features: RGBA length %d, want 4*%d*%d = %d", len(rgba), width, height, 4*width*height)
	}
	ink := inkOf(rgba, width, height)
	out := make([]uint8, ImageSize)

	// 2. contrast stretch
	mx := 0.0
	for _, v := range ink {
		if v > mx {
			mx = v
		}
	}
	if mx == 0 {
		return out, nil
	}
	for i := range ink {
		ink[i] /= mx
	}
	// 3. bounding box
	x0, y0, x1, y1 := width, height, -1, -1
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			if ink[y*width+x] > inkBoxThresh {
				x0, x1 = min(x0, x), max(x1, x)
				y0, y1 = min(y0, y), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return out, nil
	}
	bw, bh := x1-x0+1, y1-y0+1
	// 4. scale to fit 20x20
	nw, nh := ImageBox, ImageBox
	if bw > bh {
		nh = max(1, int(math.Floor(float64(bh*ImageBox)/float64(bw)+0.5)))
	} else if bh > bw {
		nw = max(1, int(math.Floor(float64(bw*ImageBox)/float64(bh)+0.5)))
	}
	wx := areaWeights(bw, nw)
	wy := areaWeights(bh, nh)
	// rows first: tmp[y][X] for source rows y of the box
	tmp := make([]float64, bh*nw)
	for y := 0; y < bh; y++ {
		row := ink[(y0+y)*width+x0 : (y0+y)*width+x0+bw]
		for X, ws := range wx {
			s := 0.0
			for _, w := range ws {
				s += float64(w.w * row[w.i])
			}
			tmp[y*nw+X] = s
		}
	}
	small := make([]float64, nh*nw)
	for Y, ws := range wy {
		for X := 0; X < nw; X++ {
			s := 0.0
			for _, w := range ws {
				s += float64(w.w * tmp[w.i*nw+X])
			}
			small[Y*nw+X] = s
		}
	}
	// 5. centre of mass
	var m, mx2, my2 float64
	for Y := 0; Y < nh; Y++ {
		for X := 0; X < nw; X++ {
			v := small[Y*nw+X]
			m += v
			mx2 += float64((float64(X) + 0.5) * v)
			my2 += float64((float64(Y) + 0.5) * v)
		}
	}
	ox, oy := (ImageSide-nw)/2, (ImageSide-nh)/2
	if m > 0 {
		// MNIST puts the centre of mass on pixel index 14 (pixel centres at index+0.5 here)
		ox = int(math.Floor(ImageSide/2 + 0.5 - mx2/m + 0.5))
		oy = int(math.Floor(ImageSide/2 + 0.5 - my2/m + 0.5))
	}
	ox = min(max(ox, 0), ImageSide-nw)
	oy = min(max(oy, 0), ImageSide-nh)
	// 6. quantise
	for Y := 0; Y < nh; Y++ {
		for X := 0; X < nw; X++ {
			out[(oy+Y)*ImageSide+ox+X] = toLevel(small[Y*nw+X])
		}
	}
	return out, nil
}

// toLevel rounds v in [0, 1] to the nearest uint8 level (clamped).
func toLevel(v float64) uint8 {
	q := math.Floor(float64(v*255) + 0.5)
	if q <= 0 || q != q {
		return 0
	}
	if q >= 255 {
		return 255
	}
	return uint8(q)
}

type weight struct {
	i int
	w float64
}

// areaWeights maps n source pixels onto m target pixels: target j averages the source interval
// [j*n/m, (j+1)*n/m) (weights are overlap lengths divided by n/m, summing to 1).
func areaWeights(n, m int) [][]weight {
	ws := make([][]weight, m)
	for j := 0; j < m; j++ {
		// interval in units of 1/m source pixels: [j*n, (j+1)*n)
		a, b := j*n, (j+1)*n
		for i := a / m; i*m < b && i < n; i++ {
			lo, hi := max(a, i*m), min(b, (i+1)*m)
			if hi > lo {
				ws[j] = append(ws[j], weight{i, float64(hi-lo) / float64(n)})
			}
		}
	}
	return ws
}

// inkOf computes step 1: ink per pixel in [0, 1].
func inkOf(rgba []byte, width, height int) []float64 {
	n := width * height
	ink := make([]float64, n)
	// border pixels
	var border []int
	for x := 0; x < width; x++ {
		border = append(border, x, (height-1)*width+x)
	}
	for y := 1; y < height-1; y++ {
		border = append(border, y*width, y*width+width-1)
	}
	transparent := 0
	for _, p := range border {
		if rgba[4*p+3] < transparentBG {
			transparent++
		}
	}
	if 2*transparent > len(border) {
		for i := 0; i < n; i++ {
			ink[i] = float64(rgba[4*i+3]) / 255
		}
		return ink
	}
	// luma composited over white, in units of 1/1000 of a level: integer and exact.
	luma := make([]int, n)
	for i := 0; i < n; i++ {
		r, g, b, a := int(rgba[4*i]), int(rgba[4*i+1]), int(rgba[4*i+2]), int(rgba[4*i+3])
		y := 299*r + 587*g + 114*b // 0..255000
		luma[i] = (y*a + 255000*(255-a)) / 255
	}
	bl := make([]int, len(border))
	for k, p := range border {
		bl[k] = luma[p]
	}
	sort.Ints(bl)
	bg := bl[len(bl)/2] // median (upper median for an even count)
	light := bg >= 127500
	for i := 0; i < n; i++ {
		var v float64
		if light {
			v = float64(bg-luma[i]) / float64(bg)
		} else if bg < 255000 {
			v = float64(luma[i]-bg) / float64(255000-bg)
		}
		if v > 0 {
			ink[i] = v
		}
	}
	return ink
}
