package kern

// Implicit-GEMM convolution for stride 1 (issue 7: im2col of a 5x5 kernel on a
// one-channel 40x40 input writes 25 values per output and cost as much as the
// multiply-adds). The input is zero-padded once to [c][hp][wp]; receptive
// field element k = (ci, i, j) of the output at (y, x) is then
// src[Offsets[k] + y*wp + x] with Offsets[k] = ci*hp*wp + i*wp + j, so the
// kernels read the padded input in place, four adjacent outputs at a time.
// The last tile of a row may run past ow: those outputs are computed from
// the next row's values and dropped, which reads up to DirectSlack elements
// past c*hp*wp. Reference: Conv2DRef.

// DirectSlack is the number of readable elements the padded input needs
// after its c*hp*wp values.
const DirectSlack = 4

// Offsets returns the input offset of every receptive-field element of a
// kh x kw convolution over c channels of a padded [c][hp][wp] input.
func Offsets(c, hp, wp, kh, kw int) []int32 {
	off := make([]int32, 0, c*kh*kw)
	for ci := 0; ci < c; ci++ {
		for i := 0; i < kh; i++ {
			for j := 0; j < kw; j++ {
				off = append(off, int32(ci*hp*wp+i*wp+j))
			}
		}
	}
	return off
}

// ConvDirect computes a stride-1 convolution from the padded input src
// (len >= c*hp*wp + DirectSlack) with weights packed by PackA4:
//
//	dst[m][y][x] = bias[m] + sum_k a[m][k] * src[off[k] + y*wp + x]   (then max(0, .) if relu)
//
// for y < oh, x < ow; tile: 4 output channels x 4 adjacent outputs.
func ConvDirect(dst []float32, ap [][4]float32, src []float32, off []int32, bias []float32, M, oh, ow, wp int, relu bool) {
	K := len(off)
	dst = dst[:M*oh*ow]
	bias = bias[:M]
	for m := 0; m < M; m += 4 {
		blk := ap[(m/4)*K:][:len(off)]
		rows := min(4, M-m)
		var bb [4]float32
		copy(bb[:], bias[m:m+rows])
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x += 4 {
				base := y*wp + x
				s := src[base:]
				var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
				for k, o := range off {
					v := (*[4]float32)(s[o:])
					a := &blk[k]
					x0, x1, x2, x3 := v[0], v[1], v[2], v[3]
					a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
					c00 += a0 * x0
					c01 += a0 * x1
					c02 += a0 * x2
					c03 += a0 * x3
					c10 += a1 * x0
					c11 += a1 * x1
					c12 += a1 * x2
					c13 += a1 * x3
					c20 += a2 * x0
					c21 += a2 * x1
					c22 += a2 * x2
					c23 += a2 * x3
					c30 += a3 * x0
					c31 += a3 * x1
					c32 += a3 * x2
					c33 += a3 * x3
				}
				t := [4][4]float32{
					{c00 + bb[0], c01 + bb[0], c02 + bb[0], c03 + bb[0]},
					{c10 + bb[1], c11 + bb[1], c12 + bb[1], c13 + bb[1]},
					{c20 + bb[2], c21 + bb[2], c22 + bb[2], c23 + bb[2]},
					{c30 + bb[3], c31 + bb[3], c32 + bb[3], c33 + bb[3]},
				}
				storeTile(dst, &t, m, rows, y, x, oh, ow, relu)
			}
		}
	}
}

// storeTile writes the valid part of a 4 channels x 4 columns tile at row y,
// column x of dst [M][oh][ow].
func storeTile(dst []float32, t *[4][4]float32, m, rows, y, x, oh, ow int, relu bool) {
	cols := min(4, ow-x)
	for r := 0; r < rows; r++ {
		d := dst[((m+r)*oh+y)*ow+x:][:cols]
		for c := range d {
			v := t[r][c]
			if relu && v < 0 {
				v = 0
			}
			d[c] = v
		}
	}
}

// ConvDirectPair is ConvDirect for the int8 path: weights packed by
// PackPairs, 8-bit activations, two int32 lanes per int64 (see gemm8.go);
// K = len(off) <= MaxPairK. Exact, like GemmPair:
//
//	dst[m][y][x] = bias[m] + sa[m]*sb * sum_k a[m][k] * src[off[k] + y*wp + x]
//
// Tile: one packed pair of rows x 4 adjacent outputs, 4 int64 accumulators.
// (Two pairs x 4 outputs needs 8 accumulators plus 6 operands: Go's wasm
// backend, with 16 integer registers shared with the addressing, kept every
// accumulator on the stack and ran at half the speed; and a pair of rows
// beyond M is skipped instead of computed as zeros.)
func ConvDirectPair[T int8 | uint8](dst []float32, ap [][2]int64, sa []float32, src []T, sb float32, off []int32, bias []float32, M, oh, ow, wp int, relu bool) {
	K := len(off)
	dst = dst[:M*oh*ow]
	bias = bias[:M]
	sa = sa[:M]
	for m := 0; m < M; m += 2 {
		blk := ap[(m/4)*K:][:len(off)]
		j := (m % 4) / 2 // which lane pair of the 4-row block
		rows := min(2, M-m)
		b0, s0 := bias[m], sa[m]*sb
		b1, s1 := b0, s0
		if rows > 1 {
			b1, s1 = bias[m+1], sa[m+1]*sb
		}
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x += 4 {
				s := src[y*wp+x:]
				var e0, e1, e2, e3 int64
				for k, o := range off {
					v := (*[4]T)(s[o:])
					w := blk[k][j]
					e0 += w * int64(v[0])
					e1 += w * int64(v[1])
					e2 += w * int64(v[2])
					e3 += w * int64(v[3])
				}
				cols := min(4, ow-x)
				d0 := dst[(m*oh+y)*ow+x:][:cols]
				es := [4]int64{e0, e1, e2, e3}
				for c := range d0 {
					lo, hi := split(es[c])
					v := b0 + s0*float32(int32(lo))
					if relu && v < 0 {
						v = 0
					}
					d0[c] = v
					if rows > 1 {
						v := b1 + s1*float32(int32(hi))
						if relu && v < 0 {
							v = 0
						}
						dst[((m+1)*oh+y)*ow+x+c] = v
					}
				}
			}
		}
	}
}
