package kern

// Implicit-GEMM convolution for stride 1 (im2col of a 5x5 kernel on a
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

// PackA2 packs the row-major M x K matrix a in blocks of 2 rows, k-major
// inside a block, a row beyond M zero:
//
//	dst[(m/2)*K + k][m%2] = a[m][k]
func PackA2(a []float32, M, K int) [][2]float32 {
	dst := make([][2]float32, (M+1)/2*K)
	for m := 0; m < M; m++ {
		for k := 0; k < K; k++ {
			dst[(m/2)*K+k][m%2] = a[m*K+k]
		}
	}
	return dst
}

// ConvDirect computes a stride-1 convolution from the padded input src
// (len >= c*hp*wp + DirectSlack) with weights packed by PackA2:
//
//	dst[m][y][x] = bias[m] + sum_k a[m][k] * src[off[k] + y*wp + x]   (then max(0, .) if relu)
//
// for y < oh, x < ow. Tile: 2 output channels x 4 adjacent outputs, k
// unrolled by two. Measured under GOOS=js (bench/README.md): a 4x4 tile
// needs 24 live floats and Go's wasm backend, with 16 float registers,
// spills them to the stack (1.3-1.7x slower); unrolling pays because every
// loop iteration goes through the function's block dispatch.
func ConvDirect(dst []float32, ap [][2]float32, src []float32, off []int32, bias []float32, M, oh, ow, wp int, relu bool) {
	K := len(off)
	dst = dst[:M*oh*ow]
	bias = bias[:M]
	for m := 0; m < M; m += 2 {
		blk := ap[(m/2)*K:][:len(off)]
		rows := min(2, M-m)
		b0 := bias[m]
		b1 := b0
		if rows > 1 {
			b1 = bias[m+1]
		}
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x += 4 {
				s := src[y*wp+x:]
				var c00, c01, c02, c03, c10, c11, c12, c13 float32
				k := 0
				for ; k+4 <= len(off); k += 4 {
					o := (*[4]int32)(off[k:])
					a := (*[4][2]float32)(blk[k:])
					v := (*[4]float32)(s[o[0]:])
					a0, a1 := a[0][0], a[0][1]
					c00 += a0 * v[0]
					c01 += a0 * v[1]
					c02 += a0 * v[2]
					c03 += a0 * v[3]
					c10 += a1 * v[0]
					c11 += a1 * v[1]
					c12 += a1 * v[2]
					c13 += a1 * v[3]
					v = (*[4]float32)(s[o[1]:])
					a0, a1 = a[1][0], a[1][1]
					c00 += a0 * v[0]
					c01 += a0 * v[1]
					c02 += a0 * v[2]
					c03 += a0 * v[3]
					c10 += a1 * v[0]
					c11 += a1 * v[1]
					c12 += a1 * v[2]
					c13 += a1 * v[3]
					v = (*[4]float32)(s[o[2]:])
					a0, a1 = a[2][0], a[2][1]
					c00 += a0 * v[0]
					c01 += a0 * v[1]
					c02 += a0 * v[2]
					c03 += a0 * v[3]
					c10 += a1 * v[0]
					c11 += a1 * v[1]
					c12 += a1 * v[2]
					c13 += a1 * v[3]
					v = (*[4]float32)(s[o[3]:])
					a0, a1 = a[3][0], a[3][1]
					c00 += a0 * v[0]
					c01 += a0 * v[1]
					c02 += a0 * v[2]
					c03 += a0 * v[3]
					c10 += a1 * v[0]
					c11 += a1 * v[1]
					c12 += a1 * v[2]
					c13 += a1 * v[3]
				}
				for ; k < len(off); k++ {
					v := (*[4]float32)(s[off[k]:])
					a0, a1 := blk[k][0], blk[k][1]
					c00 += a0 * v[0]
					c01 += a0 * v[1]
					c02 += a0 * v[2]
					c03 += a0 * v[3]
					c10 += a1 * v[0]
					c11 += a1 * v[1]
					c12 += a1 * v[2]
					c13 += a1 * v[3]
				}
				r0 := [4]float32{c00 + b0, c01 + b0, c02 + b0, c03 + b0}
				r1 := [4]float32{c10 + b1, c11 + b1, c12 + b1, c13 + b1}
				d0 := dst[(m*oh+y)*ow+x:][:min(4, ow-x)]
				for c := range d0 {
					v := r0[c]
					if relu && v < 0 {
						v = 0
					}
					d0[c] = v
				}
				if rows > 1 {
					d1 := dst[((m+1)*oh+y)*ow+x:][:len(d0)]
					for c := range d1 {
						v := r1[c]
						if relu && v < 0 {
							v = 0
						}
						d1[c] = v
					}
				}
			}
		}
	}
}

// Tap8 is one receptive-field element of the int8 direct convolution for a
// pair of output channels: its input offset and the two channels' int8
// weights packed as two int32 lanes (see gemm8.go). Keeping offset and
// weights in one array leaves Go's wasm backend enough registers for the
// accumulators: with separate offset and weight arrays it kept them on the
// stack, 10-15% slower (bench/README.md).
type Tap8 struct {
	Off int64
	W   int64
}

// MakeTaps8 returns, for every pair of rows of the int8 M x K matrix a, the
// K taps; a row beyond M is zero:
//
//	taps[(m/2)*K + k] = Tap8{off[k], a[m][k] + a[m+1][k]<<32}
func MakeTaps8(a []int8, off []int32, M int) []Tap8 {
	K := len(off)
	t := make([]Tap8, (M+1)/2*K)
	for m := 0; m < M; m++ {
		for k := range off {
			v := int64(a[m*K+k])
			if m%2 == 1 {
				v <<= 32
			}
			t[(m/2)*K+k].Off = int64(off[k])
			t[(m/2)*K+k].W += v
		}
	}
	return t
}

// ConvTaps8 is ConvDirect for the int8 path: taps made by MakeTaps8, 8-bit
// activations, two int32 lanes per int64 (gemm8.go); K <= MaxPairK. Exact,
// like GemmPair:
//
//	dst[m][y][x] = bias[m] + sa[m]*sb * sum_k a[m][k] * src[off[k] + y*wp + x]
//
// Tile: one pair of channels x 4 adjacent outputs in 4 int64 accumulators,
// taps unrolled by two.
func ConvTaps8[T int8 | uint8](dst []float32, taps []Tap8, sa []float32, src []T, sb float32, bias []float32, M, K, oh, ow, wp int, relu bool) {
	dst = dst[:M*oh*ow]
	bias = bias[:M]
	sa = sa[:M]
	taps = taps[:(M+1)/2*K]
	if K == 0 || oh == 0 || ow == 0 {
		return
	}
	// uint8 activations run the inner loop in WebAssembly (dotTaps8u), which
	// does not check bounds: check the farthest read once.
	su, asm := asUint8(src)
	asm = asm && HaveAsm
	if asm {
		maxOff := int64(0)
		for _, t := range taps[:K] {
			if t.Off < 0 {
				panic("kern: negative tap offset")
			}
			maxOff = max(maxOff, t.Off)
		}
		if need := int64((oh-1)*wp+4*((ow-1)/4)+4) + maxOff; need > int64(len(su)) {
			panic("kern: ConvTaps8 input too short")
		}
	}
	for m := 0; m < M; m += 2 {
		tp := taps[(m/2)*K:][:K]
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
				i := 0
				if asm {
					acc := dotTaps8u(tp, su[y*wp+x:])
					e0, e1, e2, e3 = acc[0], acc[1], acc[2], acc[3]
					i = len(tp)
				}
				for ; i+4 <= len(tp); i += 4 {
					t := (*[4]Tap8)(tp[i:])
					v := (*[4]T)(s[t[0].Off:])
					w := t[0].W
					e0 += w * int64(v[0])
					e1 += w * int64(v[1])
					e2 += w * int64(v[2])
					e3 += w * int64(v[3])
					v = (*[4]T)(s[t[1].Off:])
					w = t[1].W
					e0 += w * int64(v[0])
					e1 += w * int64(v[1])
					e2 += w * int64(v[2])
					e3 += w * int64(v[3])
					v = (*[4]T)(s[t[2].Off:])
					w = t[2].W
					e0 += w * int64(v[0])
					e1 += w * int64(v[1])
					e2 += w * int64(v[2])
					e3 += w * int64(v[3])
					v = (*[4]T)(s[t[3].Off:])
					w = t[3].W
					e0 += w * int64(v[0])
					e1 += w * int64(v[1])
					e2 += w * int64(v[2])
					e3 += w * int64(v[3])
				}
				for ; i < len(tp); i++ {
					t := &tp[i]
					v := (*[4]T)(s[t.Off:])
					w := t.W
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
