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
func PackA2(a []float32, M, K int) [][2]float32 { return packRows[[2]float32](a, M, K) }

// ConvDirect computes a stride-1 convolution from the padded input src
// (len >= c*hp*wp + DirectSlack) with weights packed by PackA2:
//
//	dst[m][y][x] = bias[m] + sum_k a[m][k] * src[off[k] + y*wp + x]   (then max(0, .) if relu)
//
// for y < oh, x < ow. Tile: 2 output channels x 4 adjacent outputs, k
// unrolled by four. Measured under GOOS=js (bench/README.md): a 4x4 tile
// needs 24 live floats and Go's wasm backend, with 16 float registers,
// spills them to the stack (1.3-1.7x slower). The wasm engine runs
// ConvTapsF (model/compile.go packs taps where HaveAsm); this kernel is
// the native one, where unrolling by four and reading the four taps' inputs
// first measured 10-20% faster than a plain loop over k (bench_test.go's
// v2-f32-direct).
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
				var r0, r1 quad // the tile's rows (channels m, m+1)
				k := 0
				for ; k+4 <= len(off); k += 4 {
					o := (*[4]int32)(off[k:])
					a := (*[4][2]float32)(blk[k:])
					v0, v1, v2, v3 := (*[4]float32)(s[o[0]:]), (*[4]float32)(s[o[1]:]), (*[4]float32)(s[o[2]:]), (*[4]float32)(s[o[3]:])
					r0, r1 = r0.axpy(a[0][0], v0), r1.axpy(a[0][1], v0)
					r0, r1 = r0.axpy(a[1][0], v1), r1.axpy(a[1][1], v1)
					r0, r1 = r0.axpy(a[2][0], v2), r1.axpy(a[2][1], v2)
					r0, r1 = r0.axpy(a[3][0], v3), r1.axpy(a[3][1], v3)
				}
				for ; k < len(off); k++ {
					v := (*[4]float32)(s[off[k]:])
					r0, r1 = r0.axpy(blk[k][0], v), r1.axpy(blk[k][1], v)
				}
				d0 := dst[(m*oh+y)*ow+x:][:min(4, ow-x)]
				a0, a1 := r0.array(), r1.array()
				put(d0, a0[:], b0, relu)
				if rows > 1 {
					put(dst[((m+1)*oh+y)*ow+x:][:len(d0)], a1[:], b1, relu)
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
// taps unrolled by four, written out: as steps shared with dotTaps8Go
// (tap8), or with the assembly's result in a quad64, int8 activations ran
// 5-9% slower under GOOS=js (BenchmarkConv, v3-int8-taps-signed).
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
